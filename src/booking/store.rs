//! Where bookings are kept: SQLite (a file under the data directory, the default) or
//! PostgreSQL (`DATABASE_URL=postgres://…`), through sqlx's `Any` driver with each one's
//! migrations (`migrations/sqlite`, `migrations/postgres`). Queries are written once, in the
//! SQL both speak.

use app::booking::Confirmation;
use sqlx::AnyPool;
use sqlx::Row;
use sqlx::any::AnyPoolOptions;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;

/// A booking left `pending` this long belongs to an instance that died while booking it: the
/// form may try again.
const STALE_SECS: i64 = 120;

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    kind: &'static str,
    /// The SQLite file's directory, made on first use.
    dir: Option<PathBuf>,
    /// Set once the schema is up to date: on start (`main` asks at once, so a bad
    /// `DATABASE_URL` stops it), or on first use.
    migrated: Arc<OnceCell<()>>,
}

/// Who books a submitted form.
#[derive(Debug, PartialEq, Eq)]
pub enum Claim {
    /// This request: the row is ours, `pending`.
    Mine,
    /// Booked already (a double submit): its id.
    Booked(String),
    /// Another request is booking it right now.
    InProgress,
}

impl Store {
    /// `DATABASE_URL` when set, else the SQLite file `bookings.sqlite3` under `data_dir`.
    /// Nothing is opened until [`Store::ready`] or the first query.
    pub fn new(database_url: Option<&str>, data_dir: &Path) -> Result<Store, String> {
        sqlx::any::install_default_drivers();
        let (url, dir) = match database_url {
            Some(url) => (url.to_owned(), None),
            None => {
                let file = data_dir.join("bookings.sqlite3");
                (
                    format!("sqlite://{}?mode=rwc", file.display()),
                    Some(data_dir.to_owned()),
                )
            }
        };
        let postgres = url.starts_with("postgres:") || url.starts_with("postgresql:");
        if !postgres && !url.starts_with("sqlite:") {
            return Err("DATABASE_URL: expected postgres://… or sqlite://…".into());
        }
        let pool = AnyPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy(&url)
            .map_err(|e| format!("DATABASE_URL: {e}"))?;
        Ok(Store {
            pool,
            kind: if postgres { "postgresql" } else { "sqlite" },
            dir,
            migrated: Arc::new(OnceCell::new()),
        })
    }

    /// Connects and brings the schema up to date (once).
    pub async fn ready(&self) -> Result<(), String> {
        self.migrated
            .get_or_try_init(|| async {
                if let Some(dir) = &self.dir {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        format!("cannot make the data directory {}: {e}", dir.display())
                    })?;
                }
                let migrator = if self.kind == "postgresql" {
                    sqlx::migrate!("migrations/postgres")
                } else {
                    sqlx::migrate!("migrations/sqlite")
                };
                migrator
                    .run(&self.pool)
                    .await
                    .map_err(|e| format!("booking database ({}): {e}", self.kind))
            })
            .await
            .map(|_| ())
    }

    async fn pool(&self) -> Result<&AnyPool, sqlx::Error> {
        self.ready()
            .await
            .map_err(|e| sqlx::Error::Configuration(e.into()))?;
        Ok(&self.pool)
    }

    /// `sqlite` or `postgresql`, for the start-up log.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Claims a form for booking under `id`, or says who has it.
    pub async fn claim(
        &self,
        form_id: &str,
        id: &str,
        product: &str,
    ) -> Result<Claim, sqlx::Error> {
        let now = now();
        sqlx::query(
            "DELETE FROM bookings WHERE form_id = $1 AND state = 'pending' AND created_at < $2",
        )
        .bind(form_id)
        .bind(now - STALE_SECS)
        .execute(self.pool().await?)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO bookings (id, form_id, state, created_at, product_id) \
             VALUES ($1, $2, 'pending', $3, $4) ON CONFLICT (form_id) DO NOTHING",
        )
        .bind(id)
        .bind(form_id)
        .bind(now)
        .bind(product)
        .execute(self.pool().await?)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Claim::Mine);
        }
        let row = sqlx::query("SELECT id, state FROM bookings WHERE form_id = $1")
            .bind(form_id)
            .fetch_optional(self.pool().await?)
            .await?;
        Ok(match row {
            Some(row) if row.try_get::<String, _>("state")? == "booked" => {
                Claim::Booked(row.try_get("id")?)
            }
            // Pending, or released by a failure a moment ago: the caller looks again.
            _ => Claim::InProgress,
        })
    }

    /// The carrier booked it: the row becomes the confirmation.
    pub async fn complete(
        &self,
        confirmation: &Confirmation,
        label: &[u8],
    ) -> Result<(), sqlx::Error> {
        let json =
            serde_json::to_string(confirmation).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
        sqlx::query(
            "UPDATE bookings SET state = 'booked', shipment_number = $1, confirmation = $2, label = $3 \
             WHERE id = $4",
        )
        .bind(&confirmation.shipment_number)
        .bind(json)
        .bind(label)
        .bind(&confirmation.id)
        .execute(self.pool().await?)
        .await?;
        Ok(())
    }

    /// The carrier did not book it: the form may be submitted again.
    pub async fn release(&self, id: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM bookings WHERE id = $1 AND state = 'pending'")
            .bind(id)
            .execute(self.pool().await?)
            .await?;
        Ok(())
    }

    pub async fn confirmation(&self, id: &str) -> Result<Option<Confirmation>, sqlx::Error> {
        let row =
            sqlx::query("SELECT confirmation FROM bookings WHERE id = $1 AND state = 'booked'")
                .bind(id)
                .fetch_optional(self.pool().await?)
                .await?;
        let Some(row) = row else { return Ok(None) };
        let json: String = row.try_get("confirmation")?;
        serde_json::from_str(&json)
            .map(Some)
            .map_err(|e| sqlx::Error::Decode(Box::new(e)))
    }

    /// The label and the shipment number it is for.
    pub async fn label(&self, id: &str) -> Result<Option<(String, Vec<u8>)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT shipment_number, label FROM bookings WHERE id = $1 AND state = 'booked'",
        )
        .bind(id)
        .fetch_optional(self.pool().await?)
        .await?;
        row.map(|row| Ok((row.try_get("shipment_number")?, row.try_get("label")?)))
            .transpose()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
