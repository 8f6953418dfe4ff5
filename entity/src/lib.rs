//! SeaORM entities for the check-in schema, kept in the shape `sea-orm-cli generate entity`
//! produces. The schema itself is defined by the `migration` crate; these types mirror it.

pub mod boarding_pass;
pub mod booking;
pub mod checkin;
pub mod checkin_event;
pub mod flight;
pub mod idempotency_key;
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
    pub use super::passenger::Entity as Passenger;
    pub use super::payment::Entity as Payment;
    pub use super::seat::Entity as Seat;
    pub use super::session::Entity as Session;
    pub use super::sweep::Entity as Sweep;
}
