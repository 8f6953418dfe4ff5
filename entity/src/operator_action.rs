use sea_orm::entity::prelude::*;

/// One action an operator took from the dashboard: who, when, what, on what, and how it
/// went.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "operator_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub acted_at: DateTime,
    pub operator: String,
    /// `retry_job`, `discard_job`, `redrive_checkin` or `resolve_refund`.
    pub action: String,
    /// The job (`<queue>:<id>`) or check-in acted on.
    pub target: String,
    pub checkin_id: Option<String>,
    pub note: String,
    pub outcome: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
