//! SeaORM entities for the check-in schema, kept in the shape `sea-orm-cli generate entity`
//! produces. The schema itself is defined by the `migration` crate; these types mirror it.
//!
//! The closed sets of values (check-in state, end reason, seat state and position, payment
//! state) are `DeriveActiveEnum`s here, and the domain and the API hold them rather than
//! strings.
//!
//! Plain reads use the models (a flight for the seat map and the booking view). The seat and
//! check-in rules do not: their guarantees live in details the query builder would hide (a
//! conditional `UPDATE` whose `WHERE` names the expected state and hold id, `FOR UPDATE SKIP
//! LOCKED` by primary key, expiry compared with `NOW(6)` on the database clock), so they are
//! hand-written SQL whose rows map into `#[derive(FromQueryResult)]` structs shaped for each
//! query.

pub mod boarding_pass;
pub mod booking;
pub mod checkin;
pub mod checkin_event;
pub mod flight;
pub mod idempotency_key;
pub mod operator_action;
pub mod passenger;
pub mod payment;
pub mod seat;
pub mod session;
pub mod sweep;

pub mod prelude {
    pub use super::boarding_pass::Entity as BoardingPass;
    pub use super::booking::Entity as Booking;
    pub use super::checkin::Entity as Checkin;
    pub use super::checkin_event::Entity as CheckinEvent;
    pub use super::flight::Entity as Flight;
    pub use super::idempotency_key::Entity as IdempotencyKey;
    pub use super::operator_action::Entity as OperatorAction;
    pub use super::passenger::Entity as Passenger;
    pub use super::payment::Entity as Payment;
    pub use super::seat::Entity as Seat;
    pub use super::session::Entity as Session;
    pub use super::sweep::Entity as Sweep;
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::{checkin, payment, seat};

    /// `as_str` is the name clients and logs see; it must be the stored value.
    #[test]
    fn every_enum_names_itself_as_it_is_stored() {
        for v in checkin::CheckinState::iter() {
            assert_eq!(v.as_str(), v.to_value());
        }
        for v in checkin::EndReason::iter() {
            assert_eq!(v.as_str(), v.to_value());
        }
        for v in seat::SeatState::iter() {
            assert_eq!(v.as_str(), v.to_value());
        }
        for v in seat::SeatPosition::iter() {
            assert_eq!(v.as_str(), v.to_value());
        }
        for v in payment::PaymentState::iter() {
            assert_eq!(v.as_str(), v.to_value());
        }
    }
}
