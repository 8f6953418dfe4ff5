use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a seat sits in its row.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
pub enum SeatPosition {
    #[sea_orm(string_value = "window")]
    Window,
    #[sea_orm(string_value = "middle")]
    Middle,
    #[sea_orm(string_value = "aisle")]
    Aisle,
}

/// The stored state of a seat. A `Held` seat whose `hold_expires_at` is in the past is free:
/// every hold attempt treats it so, and the sweeper turns it back into `Available`.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(12))")]
pub enum SeatState {
    #[sea_orm(string_value = "available")]
    Available,
    #[sea_orm(string_value = "held")]
    Held,
    #[sea_orm(string_value = "booked")]
    Booked,
}

impl SeatPosition {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Window => "window",
            Self::Middle => "middle",
            Self::Aisle => "aisle",
        }
    }
}

impl SeatState {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Available => "available",
            Self::Held => "held",
            Self::Booked => "booked",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "seats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub flight_id: i64,
    pub seat_code: String,
    pub row_no: i32,
    pub letter: String,
    pub cabin: String,
    pub position: SeatPosition,
    pub extra_legroom: bool,
    pub fee_cents: i32,
    pub state: SeatState,
    pub hold_id: Option<String>,
    pub hold_expires_at: Option<DateTime>,
    pub passenger_id: Option<i64>,
    pub checkin_id: Option<String>,
    pub version: i64,
    pub updated_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
