//! The booking store on both databases it supports, each opened twice as two instances would:
//! SQLite (a file) and PostgreSQL (Debian's server, started here by `scripts/postgres`).
//! A form is booked once whichever instance is asked, a failed booking frees its form, and
//! what was booked is read back whole by the other instance.

use app::booking::{Confirmation, Party};
use app::model::{Money, ProductId};
use promotions::booking::store::{Claim, Store};
use std::path::PathBuf;
use std::process::Command;

fn temp_dir(name: &str) -> PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "promotions-{name}-{}",
        promotions::guards::session::unguessable_id()
    ))
}

fn confirmation(id: &str) -> Confirmation {
    let party = Party {
        name: "Kari Nordmann".into(),
        street: "Storgata 1".into(),
        postal_code: "0150".into(),
        country: "NO".into(),
        place: Some("OSLO".into()),
        phone: Some("+4791234567".into()),
        email: Some("kari@example.no".into()),
    };
    Confirmation {
        id: id.into(),
        shipment_number: "370123456789012345".into(),
        tracking_url: "https://tracking.example/370123456789012345".into(),
        product: ProductId::new("5600"),
        price: Money {
            currency: "NOK".into(),
            with_vat_minor: 14900,
            without_vat_minor: 11920,
        },
        expected_delivery: "2026-12-08".into(),
        sender: party.clone(),
        recipient: party,
        pickup_point: None,
        reference: Some("Ordre 42".into()),
    }
}

/// `one` and `other`: the same database, opened by two instances.
async fn booked_once_whoever_is_asked(one: Store, other: Store) {
    one.ready().await.unwrap();
    other.ready().await.unwrap();
    assert_eq!(
        one.claim("form-1", "id-1", "5600").await.unwrap(),
        Claim::Mine
    );
    assert_eq!(
        other.claim("form-1", "id-2", "5600").await.unwrap(),
        Claim::InProgress
    );
    assert_eq!(
        other.confirmation("id-1").await.unwrap(),
        None,
        "not booked yet"
    );
    let pdf = b"%PDF-1.7 a label \x00\xff".to_vec();
    one.complete(&confirmation("id-1"), &pdf).await.unwrap();
    assert_eq!(
        other.claim("form-1", "id-3", "5600").await.unwrap(),
        Claim::Booked("id-1".into())
    );
    assert_eq!(
        other.confirmation("id-1").await.unwrap(),
        Some(confirmation("id-1"))
    );
    assert_eq!(
        other.label("id-1").await.unwrap(),
        Some(("370123456789012345".into(), pdf))
    );
    assert_eq!(other.label("id-404").await.unwrap(), None);
    // A booking the carrier refused frees its form for the next submit, on any instance.
    assert_eq!(
        one.claim("form-2", "id-4", "5600").await.unwrap(),
        Claim::Mine
    );
    one.release("id-4").await.unwrap();
    assert_eq!(
        other.claim("form-2", "id-5", "5600").await.unwrap(),
        Claim::Mine
    );
}

#[tokio::test]
async fn on_sqlite() {
    let dir = temp_dir("store");
    booked_once_whoever_is_asked(
        Store::new(None, &dir).unwrap(),
        Store::new(None, &dir).unwrap(),
    )
    .await;
    // And after a restart.
    let again = Store::new(None, &dir).unwrap();
    assert_eq!(
        again.confirmation("id-1").await.unwrap(),
        Some(confirmation("id-1"))
    );
    assert_eq!(again.kind(), "sqlite");
    std::fs::remove_dir_all(dir).unwrap();
}

/// A PostgreSQL server for this test, stopped (and its files removed) when dropped.
struct Postgres {
    dir: PathBuf,
    url: String,
}

impl Postgres {
    fn start() -> Self {
        let dir = temp_dir("postgres");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/postgres");
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            probe.local_addr().unwrap().port()
        };
        let out = Command::new(script)
            .args(["start", dir.to_str().unwrap(), &port.to_string()])
            .output()
            .expect("scripts/postgres runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8(out.stdout).unwrap().trim().to_owned();
        Postgres { dir, url }
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/postgres");
        let _ = Command::new(script)
            .args(["stop", self.dir.to_str().unwrap()])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn on_postgresql() {
    let postgres = Postgres::start();
    let open = || Store::new(Some(&postgres.url), std::path::Path::new("unused")).unwrap();
    booked_once_whoever_is_asked(open(), open()).await;
    let again = open();
    assert_eq!(again.kind(), "postgresql");
    assert_eq!(
        again.confirmation("id-1").await.unwrap(),
        Some(confirmation("id-1"))
    );
}
