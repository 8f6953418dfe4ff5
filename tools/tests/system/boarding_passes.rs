use crate::support::{Opts, System};

/// Confirmed one after another and at once, every pass of a flight gets its own check-in
/// sequence number, and its BCBP says so at positions 53-57 (Resolution 792).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_boarding_pass_of_a_flight_gets_its_own_checkin_sequence_number() {
    let sys = System::start(Opts::default()).await;
    let flight = sys.flight(5, 6).await;
    let mut ids = Vec::new();
    for (i, p) in flight.passengers.iter().enumerate() {
        let token = sys.login(&p.pnr, &p.last_name).await;
        let seat = format!("{}{}", 1 + i / 3, ["A", "C", "F"][i % 3]);
        let id = sys
            .held(&token, p.passenger_id, flight.flight_id, &seat)
            .await;
        ids.push((token, id));
    }
    // Paid all at once: the confirmations race for the flight's counter.
    let pays = ids.iter().map(|(token, id)| sys.pay(token, id, "tok_visa"));
    futures::future::join_all(pays).await;
    let mut seqs = Vec::new();
    for (token, id) in &ids {
        let v = sys.wait_end(token, id).await;
        assert_eq!(v["state"], "confirmed", "{}", sys.trace(id).await);
        let (status, pass) = sys
            .get(&format!("/v1/checkins/{id}/boarding-pass"), Some(token))
            .await;
        assert_eq!(status, reqwest::StatusCode::OK);
        let bcbp = pass["barcode"].as_str().unwrap().to_owned();
        let seq = sys
            .scalar(&format!(
                "SELECT checkin_seq FROM boarding_passes WHERE checkin_id = '{id}'"
            ))
            .await;
        assert_eq!(&bcbp[52..57], format!("{seq:04} "), "{bcbp}");
        assert_eq!(
            bcbp.len(),
            60 + usize::from_str_radix(&bcbp[58..60], 16).unwrap()
        );
        seqs.push(seq);
    }
    seqs.sort();
    assert_eq!(
        seqs,
        (1..=6).collect::<Vec<i64>>(),
        "one number each, none skipped here"
    );
    sys.stop().await;
}
