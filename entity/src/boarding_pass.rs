use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "boarding_passes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub checkin_id: String,
    pub flight_id: i64,
    pub passenger_id: i64,
    pub seat_code: String,
    /// The check-in sequence number the BCBP carries: unique per flight, in the order
    /// passengers were confirmed (gaps allowed).
    pub checkin_seq: Option<i32>,
    pub barcode: String,
    pub issued_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
