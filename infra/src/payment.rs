//! The payment provider over HTTP, in the shape of Stripe's API: form-free JSON,
//! `Authorization: Bearer <secret key>`, `Idempotency-Key` on every POST.

use std::time::Duration;

use async_trait::async_trait;
use checkin_domain::payment::{
    ChargeRequest, ChargeResult, FoundCharge, GatewayError, PaymentGateway,
};
use serde::Deserialize;

use crate::config::ProviderConfig;

#[derive(Clone)]
pub struct HttpPaymentGateway {
    client: reqwest::Client,
    base: String,
    api_key: String,
}

impl HttpPaymentGateway {
    /// A client whose every call ends within `timeout` (the domain's
    /// `PaymentConfig::timeout`).
    pub fn new(cfg: &ProviderConfig, timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(2)))
            .pool_max_idle_per_host(64)
            .build()?;
        Ok(Self {
            client,
            base: cfg.url.trim_end_matches('/').to_owned(),
            api_key: cfg.api_key.clone(),
        })
    }
}

#[derive(Deserialize)]
struct ChargeBody {
    id: String,
    status: String,
    #[serde(default)]
    refunded: bool,
}

/// Stripe's search result envelope.
#[derive(Deserialize)]
struct SearchResult {
    data: Vec<ChargeBody>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ProviderError,
}

#[derive(Deserialize)]
struct ProviderError {
    #[serde(rename = "type")]
    kind: String,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
}

fn transient(e: reqwest::Error) -> GatewayError {
    GatewayError::Transient(if e.is_timeout() {
        "timed out".into()
    } else {
        e.without_url().to_string()
    })
}

#[async_trait]
impl PaymentGateway for HttpPaymentGateway {
    async fn charge(&self, req: &ChargeRequest) -> Result<ChargeResult, GatewayError> {
        let resp = self
            .client
            .post(format!("{}/v1/charges", self.base))
            .bearer_auth(&self.api_key)
            .header("Idempotency-Key", &req.idempotency_key)
            .json(&serde_json::json!({
                "amount": req.amount_cents,
                "currency": req.currency.to_lowercase(),
                "source": req.payment_method,
                "description": req.description,
                "metadata": { "hold_id": req.hold_id, "checkin_id": req.checkin_id },
            }))
            .send()
            .await
            .map_err(transient)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transient)?;
        if status.is_success() {
            let body: ChargeBody = serde_json::from_slice(&bytes)
                .map_err(|e| GatewayError::Transient(format!("unreadable charge: {e}")))?;
            return match body.status.as_str() {
                "succeeded" => Ok(ChargeResult::Succeeded { charge_id: body.id }),
                other => Err(GatewayError::Transient(format!("charge status {other}"))),
            };
        }
        if status.as_u16() == 409 {
            // Stripe's idempotency_key_in_use: a duplicate delivery is charging right now.
            return Err(GatewayError::Busy(format!("HTTP {status}")));
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(GatewayError::Transient(format!("HTTP {status}")));
        }
        match serde_json::from_slice::<ErrorEnvelope>(&bytes) {
            Ok(env) if env.error.kind == "card_error" => Ok(ChargeResult::Declined {
                code: env
                    .error
                    .decline_code
                    .or(env.error.code)
                    .unwrap_or_else(|| "card_declined".into()),
            }),
            Ok(env) => Err(GatewayError::Permanent(format!(
                "HTTP {status} {}: {}",
                env.error.code.unwrap_or_default(),
                env.error.message.unwrap_or_default()
            ))),
            Err(_) => Err(GatewayError::Permanent(format!("HTTP {status}"))),
        }
    }

    async fn refund(&self, charge_id: &str, idempotency_key: &str) -> Result<(), GatewayError> {
        let resp = self
            .client
            .post(format!("{}/v1/refunds", self.base))
            .bearer_auth(&self.api_key)
            .header("Idempotency-Key", idempotency_key)
            .json(&serde_json::json!({ "charge": charge_id }))
            .send()
            .await
            .map_err(transient)?;
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(transient)?;
        let already_refunded = serde_json::from_slice::<ErrorEnvelope>(&bytes)
            .is_ok_and(|env| env.error.code.as_deref() == Some("charge_already_refunded"));
        if status.is_success() || already_refunded {
            Ok(())
        } else if status.as_u16() == 409 {
            Err(GatewayError::Busy(format!("HTTP {status}")))
        } else if status.is_server_error() || status.as_u16() == 429 {
            Err(GatewayError::Transient(format!("HTTP {status}")))
        } else {
            Err(GatewayError::Permanent(format!(
                "refund refused: HTTP {status}"
            )))
        }
    }

    async fn find_charge(&self, hold_id: &str) -> Result<Option<FoundCharge>, GatewayError> {
        // Stripe's search query language; hold ids are ULIDs, so no quoting is needed.
        let query = format!("metadata['hold_id']:'{hold_id}'");
        let url = reqwest::Url::parse_with_params(
            &format!("{}/v1/charges/search", self.base),
            [("query", query.as_str())],
        )
        .map_err(|e| GatewayError::Permanent(format!("bad provider URL: {e}")))?;
        let resp = self
            .client
            .get(url)
            .bearer_auth(&self.api_key)
            .send()
            .await
            .map_err(transient)?;
        let status = resp.status();
        if !status.is_success() {
            return Err(if status.is_client_error() && status.as_u16() != 429 {
                GatewayError::Permanent(format!("charge search refused: HTTP {status}"))
            } else {
                GatewayError::Transient(format!("HTTP {status}"))
            });
        }
        let found: SearchResult = resp
            .json()
            .await
            .map_err(|e| GatewayError::Transient(format!("unreadable search result: {e}")))?;
        // A failed charge holds no money; a pending one may still succeed.
        let charge = |status: &str| found.data.iter().find(|c| c.status == status);
        Ok(charge("succeeded")
            .map(|c| (c, true))
            .or_else(|| charge("pending").map(|c| (c, false)))
            .map(|(c, settled)| FoundCharge {
                id: c.id.clone(),
                refunded: c.refunded,
                settled,
            }))
    }
}
