use sea_orm::entity::prelude::*;

/// One row per sweeper tick; its primary key is what makes exactly one sweep run per tick.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sweeps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub tick_at: DateTime,
    pub worker: String,
    pub started_at: DateTime,
    pub finished_at: Option<DateTime>,
    pub holds_released: i32,
    pub checkins_expired: i32,
    pub redriven: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
