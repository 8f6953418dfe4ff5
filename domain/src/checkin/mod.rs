//! The life of a check-in before payment: created (`queued`) by the API, held by a worker
//! (`held`, or `rejected`), cancelled by the passenger, or expired when its hold runs out.
//! Payment is [`crate::payment`]; the seat row's own rules are [`crate::seat`].
//!
//! Transactions lock the check-in row before the seat row, always in that order.
//!
//! | module | rule |
//! |---|---|
//! | [`create`] | record a request (idempotent), then hand it to the queue |
//! | [`hold`] | a worker holds the seat asked for, or the best free one ([`pick`]) |
//! | [`group`] | several passengers of one booking, held together or not at all |
//! | [`cancel`] | the passenger gives a queued or held seat back |
//! | [`expire`] | the one function that ends a hold that ran out |
//! | [`view`] | what a passenger sees of a check-in |
//! | [`wait`] | the long poll: wait until a check-in leaves a state |

pub mod cancel;
pub mod create;
pub mod expire;
pub mod group;
pub mod hold;
mod live;
mod pick;
pub mod view;
pub mod wait;

pub use entity::checkin::{CheckinState, EndReason};

pub use self::{
    cancel::cancel_checkin,
    create::{CheckinAccepted, CreateCheckin, Created, create_checkin},
    expire::end_expired_hold,
    hold::{
        HoldBatcher, HoldOutcome, HoldReport, HoldWrite, Holds, LockUse, apply_hold, process_hold,
        process_hold_batched,
    },
    view::{CheckinView, get_checkin},
    wait::wait_for_change,
};
