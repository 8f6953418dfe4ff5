use std::sync::Arc;

use checkin_domain::payment;
use checkin_infra::payment::HttpPaymentGateway;
use checkin_paymock::PaymockConfig;
use futures::{StreamExt, stream};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::json;

use crate::support::{Opts, System};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_thousand_mock_payments_decline_about_one_percent() {
    let sys = Arc::new(
        System::start(Opts {
            workers: false,
            paymock: PaymockConfig {
                seed: 2026,
                ..PaymockConfig::default()
            },
            ..Opts::default()
        })
        .await,
    );
    let statuses: Vec<u16> = stream::iter(0..10_000)
        .map(|i| {
            let sys = sys.clone();
            async move {
                let r = sys
                    .http
                    .post(format!("{}/v1/charges", sys.paymock_url))
                    .bearer_auth("sk_test_local")
                    .header("Idempotency-Key", format!("pay-{i}"))
                    .json(&json!({ "amount": 1500, "currency": "eur", "source": "tok_visa" }))
                    .send()
                    .await
                    .unwrap();
                r.status().as_u16()
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    let declined = statuses.iter().filter(|s| **s == 402).count();
    let ok = statuses.iter().filter(|s| **s == 200).count();
    assert_eq!(declined + ok, 10_000, "only successes and declines");
    let rate = declined as f64 / 10_000.0;
    assert!((0.006..=0.014).contains(&rate), "decline rate {rate}");
    Arc::into_inner(sys).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_retried_with_the_same_key_charges_once() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let charge = |key: &'static str, amount: i64| {
        sys.http
            .post(format!("{}/v1/charges", sys.paymock_url))
            .bearer_auth("sk_test_local")
            .header("Idempotency-Key", key)
            .json(&json!({ "amount": amount, "currency": "eur", "source": "tok_visa" }))
            .send()
    };
    let first: serde_json::Value = charge("k-1", 900).await.unwrap().json().await.unwrap();
    let again: serde_json::Value = charge("k-1", 900).await.unwrap().json().await.unwrap();
    assert_eq!(
        first["id"], again["id"],
        "the retry replays the first charge"
    );
    assert_eq!(
        charge("k-1", 901).await.unwrap().status(),
        StatusCode::BAD_REQUEST,
        "a key is for one request only"
    );
    let stats = sys.paymock.stats();
    assert_eq!((stats.charges_created, stats.idempotent_replays), (1, 1));
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_declined_payment_ends_payment_failed_and_frees_the_seat() {
    let sys = System::start(Opts::default()).await;
    let flight = sys.flight(5, 2).await;
    let (a, b) = (&flight.passengers[0], &flight.passengers[1]);
    let (ta, tb) = (
        sys.login(&a.pnr, &a.last_name).await,
        sys.login(&b.pnr, &b.last_name).await,
    );
    let ca = sys.held(&ta, a.passenger_id, flight.flight_id, "1A").await;
    assert_eq!(
        sys.pay(&ta, &ca, "tok_chargeDeclined").await.0,
        StatusCode::ACCEPTED
    );
    let end = sys.wait_end(&ta, &ca).await;
    assert_eq!(
        (end["state"].as_str(), end["payment_state"].as_str()),
        (Some("payment_failed"), Some("declined"))
    );
    assert_eq!(end["reason"], "generic_decline");
    // The seat is free at once, and the passenger may start again.
    sys.held(&tb, b.passenger_id, flight.flight_id, "1A").await;
    let (status, _) = sys
        .create_checkin(&ta, a.passenger_id, flight.flight_id, "1B")
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    sys.assert_invariants().await;
    sys.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_job_delivered_many_times_at_once_charges_once_and_books_once() {
    // The provider takes 100 ms, so every delivery reaches it while the first is in progress.
    let sys = Arc::new(
        System::start(Opts {
            workers: false,
            ..Opts::with_provider_latency(100)
        })
        .await,
    );
    let flight = sys.flight(5, 1).await;
    let (_, ca) = sys
        .paying_by_hand(&flight.passengers[0], flight.flight_id, "3A", "tok_visa")
        .await;
    let runs: Vec<_> = (0..6)
        .map(|_| {
            let (sys, ca) = (sys.clone(), ca.clone());
            tokio::spawn(async move {
                let gw = sys.gateway();
                payment::process_payment(&sys.db, &gw, &sys.payment, &ca)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for r in runs {
        outcomes.push(r.await.unwrap());
    }
    let confirmed = outcomes
        .iter()
        .filter(|o| **o == payment::PaymentOutcome::Confirmed)
        .count();
    assert_eq!(confirmed, 1, "{outcomes:?}");
    // The others were told to come back later; coming back, they find the work done.
    for _ in 0..5 {
        let gw = sys.gateway();
        assert_eq!(
            payment::process_payment(&sys.db, &gw, &sys.payment, &ca)
                .await
                .unwrap(),
            payment::PaymentOutcome::AlreadyDone
        );
    }
    assert_eq!(
        sys.paymock.stats().charges_created,
        1,
        "one charge whatever the deliveries"
    );
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM boarding_passes").await, 1);
    sys.assert_invariants().await;
    Arc::into_inner(sys).unwrap().stop().await;
}

/// A gateway whose charges wait at a gate before they reach the provider (the test decides
/// when a delivery's charge lands), and whose first refund finds the provider down.
struct Gated {
    inner: HttpPaymentGateway,
    entered: tokio::sync::Mutex<Option<tokio::sync::oneshot::Sender<()>>>,
    release: tokio::sync::Notify,
    refund_down: std::sync::atomic::AtomicBool,
}

#[async_trait::async_trait]
impl payment::PaymentGateway for Gated {
    async fn charge(
        &self,
        req: &payment::ChargeRequest,
    ) -> Result<payment::ChargeResult, payment::GatewayError> {
        if let Some(entered) = self.entered.lock().await.take() {
            let _ = entered.send(());
        }
        self.release.notified().await;
        self.inner.charge(req).await
    }

    async fn refund(&self, charge_id: &str, key: &str) -> Result<(), payment::GatewayError> {
        if self
            .refund_down
            .swap(false, std::sync::atomic::Ordering::SeqCst)
        {
            return Err(payment::GatewayError::Transient("HTTP 503".into()));
        }
        self.inner.refund(charge_id, key).await
    }

    async fn find_charge(
        &self,
        hold_id: &str,
    ) -> Result<Option<payment::FoundCharge>, payment::GatewayError> {
        self.inner.find_charge(hold_id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_charge_that_succeeds_after_another_delivery_gave_the_payment_up_is_refunded() {
    let sys = Arc::new(
        System::start(Opts {
            workers: false,
            payment_max_attempts: 2,
            paymock: PaymockConfig {
                decline_rate: 0.0,
                ..PaymockConfig::default()
            },
            ..Opts::default()
        })
        .await,
    );
    let flight = sys.flight(5, 1).await;
    let (ta, ca) = sys
        .paying_by_hand(&flight.passengers[0], flight.flight_id, "2C", "tok_visa")
        .await;
    // The first delivery counts its attempt and stops just before the provider.
    let (entered, first_in) = tokio::sync::oneshot::channel();
    let gated = Arc::new(Gated {
        inner: sys.gateway(),
        entered: tokio::sync::Mutex::new(Some(entered)),
        release: tokio::sync::Notify::new(),
        refund_down: true.into(),
    });
    let first = tokio::spawn({
        let (sys, ca, gated) = (sys.clone(), ca.clone(), gated.clone());
        async move {
            payment::process_payment(&sys.db, gated.as_ref(), &sys.payment, &ca)
                .await
                .unwrap()
        }
    });
    first_in.await.unwrap();
    // A second delivery finds the provider down on the last attempt and gives up.
    sys.paymock.set_config(PaymockConfig {
        decline_rate: 0.0,
        error_rate: 1.0,
        ..PaymockConfig::default()
    });
    let gw = sys.gateway();
    assert_eq!(
        payment::process_payment(&sys.db, &gw, &sys.payment, &ca)
            .await
            .unwrap(),
        payment::PaymentOutcome::GaveUp
    );
    let seat_free = format!(
        "SELECT COUNT(*) FROM seats WHERE flight_id = {} AND seat_code = '2C' AND state = 'available' AND passenger_id IS NULL",
        flight.flight_id
    );
    assert_eq!(sys.scalar(&seat_free).await, 1);
    // The provider is back and the first delivery's charge goes through: nothing holds it.
    sys.paymock.set_config(PaymockConfig {
        decline_rate: 0.0,
        ..PaymockConfig::default()
    });
    gated.release.notify_one();
    // Its refund finds the provider down: the charge stays noted on the payment, and the
    // job is tried again; that delivery (or any later one) refunds it.
    assert!(matches!(
        first.await.unwrap(),
        payment::PaymentOutcome::Retry(_)
    ));
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM payments WHERE checkin_id = '{ca}' AND state = 'failed' AND provider_charge_id IS NOT NULL"
        ))
        .await,
        1
    );
    assert_eq!(sys.paymock.stats().refunds, 0);
    assert_eq!(
        payment::process_payment(&sys.db, gated.as_ref(), &sys.payment, &ca)
            .await
            .unwrap(),
        payment::PaymentOutcome::Refunded
    );
    assert_eq!(
        payment::process_payment(&sys.db, &gw, &sys.payment, &ca)
            .await
            .unwrap(),
        payment::PaymentOutcome::AlreadyDone
    );
    let stats = sys.paymock.stats();
    assert_eq!((stats.charges_succeeded, stats.refunds), (1, 1));
    let end = sys.get(&format!("/v1/checkins/{ca}"), Some(&ta)).await.1;
    assert_eq!(
        (end["state"].as_str(), end["reason"].as_str()),
        (Some("payment_failed"), Some("provider_unavailable"))
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM payments WHERE checkin_id = '{ca}' AND state = 'refunded' AND provider_charge_id LIKE 'ch\\_%' AND next_check_at IS NULL"
        ))
        .await,
        1
    );
    assert_eq!(sys.scalar(&seat_free).await, 1);
    assert_eq!(sys.scalar("SELECT COUNT(*) FROM boarding_passes").await, 0);
    sys.assert_invariants().await;
    Arc::into_inner(sys).unwrap().stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_provider_that_fails_then_recovers_still_confirms_with_one_charge() {
    let sys = System::start(Opts {
        paymock: PaymockConfig {
            decline_rate: 0.0,
            error_rate: 1.0,
            ..PaymockConfig::default()
        },
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys
        .checkin(&ta, a.passenger_id, flight.flight_id, "4A")
        .await;
    sys.wait_settled(&ta, &ca).await;
    sys.pay(&ta, &ca, "tok_visa").await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        sys.get(&format!("/v1/checkins/{ca}"), Some(&ta)).await.1["state"],
        "paying",
        "still trying"
    );
    sys.paymock.set_config(PaymockConfig {
        decline_rate: 0.0,
        error_rate: 0.0,
        ..PaymockConfig::default()
    });
    assert_eq!(sys.wait_end(&ta, &ca).await["state"], "confirmed");
    let stats = sys.paymock.stats();
    assert!(stats.injected_errors >= 1);
    assert_eq!(stats.charges_created, 1);
    sys.assert_invariants().await;
    sys.stop().await;
}

/// Every call to the provider timed out, so the payment was given up and the seat released;
/// but the provider had charged. The sweeper looks the charge up by its hold and refunds it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_charge_made_while_every_call_timed_out_is_found_by_the_sweeper_and_refunded() {
    let sys = System::start(Opts {
        payment_max_attempts: 1,
        payment_timeout_ms: 300,
        paymock: PaymockConfig {
            decline_rate: 0.0,
            timeout_rate: 1.0,
            hang_ms: 2000,
            ..PaymockConfig::default()
        },
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let a = &flight.passengers[0];
    let ta = sys.login(&a.pnr, &a.last_name).await;
    let ca = sys.held(&ta, a.passenger_id, flight.flight_id, "3C").await;
    sys.pay(&ta, &ca, "tok_visa").await;
    let end = sys.wait_end(&ta, &ca).await;
    assert_eq!(
        (end["state"].as_str(), end["reason"].as_str()),
        (Some("payment_failed"), Some("provider_unavailable"))
    );
    assert_eq!(
        sys.paymock.stats().charges_succeeded,
        1,
        "charged all the same"
    );
    let refunded = format!(
        "SELECT COUNT(*) FROM payments WHERE checkin_id = '{ca}' AND state = 'refunded' AND provider_charge_id IS NOT NULL"
    );
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    while sys.scalar(&refunded).await == 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the sweeper refunds the charge within 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(sys.paymock.stats().refunds, 1);
    let after = sys.get(&format!("/v1/checkins/{ca}"), Some(&ta)).await.1;
    assert_eq!(
        after["state"], "payment_failed",
        "the check-in keeps its end"
    );
    sys.assert_invariants().await;
    sys.stop().await;
}

/// A payment given up while the provider was down for good: the look-ups find nothing, and
/// nothing is charged. The provider's search may lag, so the payment is looked up three
/// times (15 minutes and 6 hours apart; here the test moves the clock on), then left alone.
/// A look-up that cannot reach the provider is tried again a minute later.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_given_up_payment_with_no_charge_at_the_provider_is_looked_up_three_times_and_costs_nothing()
 {
    let sys = System::start(Opts {
        workers: false,
        payment_max_attempts: 1,
        paymock: PaymockConfig {
            decline_rate: 0.0,
            error_rate: 1.0,
            ..PaymockConfig::default()
        },
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let (_, ca) = sys
        .paying_by_hand(&flight.passengers[0], flight.flight_id, "3D", "tok_visa")
        .await;
    let gw = sys.gateway();
    let at_once = checkin_domain::config::PaymentConfig {
        reconcile_after_secs: 0,
        ..sys.payment.clone()
    };
    assert_eq!(
        payment::process_payment(&sys.db, &gw, &at_once, &ca)
            .await
            .unwrap(),
        payment::PaymentOutcome::GaveUp
    );
    let schedule = || async {
        sys.scalar(&format!(
            "SELECT IF(next_check_at IS NULL, -1, TIMESTAMPDIFF(SECOND, NOW(6), next_check_at)) FROM payments WHERE checkin_id = '{ca}'"
        ))
        .await
    };
    let checks = || async {
        sys.scalar(&format!(
            "SELECT reconcile_checks FROM payments WHERE checkin_id = '{ca}'"
        ))
        .await
    };
    let due_now = || async {
        sys.db
            .execute_unprepared(&format!(
                "UPDATE payments SET next_check_at = NOW(6) WHERE checkin_id = '{ca}'"
            ))
            .await
            .unwrap();
    };
    let pass = || async { payment::reconcile_given_up(&sys.db, &gw).await.unwrap() };
    let clean = payment::ReconcileReport {
        clean: 1,
        ..Default::default()
    };

    // While the provider is still down, the look-up fails and is due again in a minute.
    assert_eq!(pass().await.unavailable, 1);
    assert!(
        (55..=60).contains(&schedule().await),
        "{}",
        schedule().await
    );
    assert_eq!(checks().await, 0);
    assert_eq!(
        pass().await,
        payment::ReconcileReport::default(),
        "not due yet"
    );

    sys.paymock.set_config(PaymockConfig {
        decline_rate: 0.0,
        ..PaymockConfig::default()
    });
    due_now().await;
    assert_eq!(pass().await, clean);
    assert!((14 * 60..=15 * 60).contains(&schedule().await));
    due_now().await;
    assert_eq!(pass().await, clean);
    assert!((6 * 3600 - 60..=6 * 3600).contains(&schedule().await));
    due_now().await;
    assert_eq!(pass().await, clean);
    assert_eq!((checks().await, schedule().await), (3, -1), "settled");
    assert_eq!(pass().await, payment::ReconcileReport::default());

    let stats = sys.paymock.stats();
    assert_eq!((stats.charges_created, stats.refunds), (0, 0));
    sys.assert_invariants().await;
    sys.stop().await;
}

/// The provider refuses a payment request outright (here a token it does not know; in
/// production also a retry whose key it no longer accepts, or a rotated API key). That is not
/// a card decline: an earlier attempt may have charged, so the payment is given up, the seat
/// freed, and the payment put on the sweeper's list to be checked with the provider.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_payment_the_provider_refuses_is_given_up_and_checked_not_taken_for_a_decline() {
    let sys = System::start(Opts {
        workers: false,
        ..Opts::default()
    })
    .await;
    let flight = sys.flight(5, 1).await;
    let (ta, id) = sys
        .paying_by_hand(
            &flight.passengers[0],
            flight.flight_id,
            "4B",
            "tok_unknownToTheProvider",
        )
        .await;
    let ca = id.as_str();
    let gw = sys.gateway();
    assert_eq!(
        payment::process_payment(&sys.db, &gw, &sys.payment, &id)
            .await
            .unwrap(),
        payment::PaymentOutcome::GaveUp
    );
    let end = sys.get(&format!("/v1/checkins/{ca}"), Some(&ta)).await.1;
    assert_eq!(
        (end["state"].as_str(), end["reason"].as_str()),
        (Some("payment_failed"), Some("provider_refused"))
    );
    assert_eq!(
        sys.scalar(&format!(
            "SELECT COUNT(*) FROM payments WHERE checkin_id = '{ca}' AND state = 'failed' AND next_check_at IS NOT NULL"
        ))
        .await,
        1,
        "on the sweeper's list"
    );
    sys.assert_invariants().await;
    sys.stop().await;
}
