//! Whole systems to test against: in-process ([`system`]) and as real processes
//! ([`faults`], [`autoscaler`]), each with its own database and Redis key prefix.

pub mod autoscaler;
pub mod faults;
pub mod system;
