use sea_orm::entity::prelude::*;

/// Append-only history of a check-in: what happened and why, for support and for tests.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkin_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub checkin_id: String,
    pub kind: String,
    pub detail: String,
    pub created_at: DateTime,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
