//! The authenticated principal of an API request, and the bearer tokens the directory's token
//! exchange issued (which the API then accepts like the static token).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::SystemTime;

use rand::RngCore;

/// The authenticated principal of an API request (the auth layer adds it to the request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// Uid of the user or service account.
    pub principal_uid: String,
}

/// Bearer tokens the exchange issued, with their principal and expiry.
#[derive(Debug, Default)]
pub struct Bearers {
    issued: Mutex<HashMap<String, (String, SystemTime)>>,
}

impl Bearers {
    /// A new random bearer for `principal_uid`, valid until `expires`.
    pub fn issue(&self, principal_uid: &str, expires: SystemTime) -> (String, SystemTime) {
        let mut bytes = [0u8; 24];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let token = format!("cwsb_{token}");
        self.lock()
            .insert(token.clone(), (principal_uid.to_string(), expires));
        (token, expires)
    }

    /// The caller a presented bearer stands for, if it was issued and has not expired by `now`.
    pub fn caller(&self, token: &str, now: SystemTime) -> Option<Caller> {
        let issued = self.lock();
        let (principal_uid, expires) = issued.get(token)?;
        (now < *expires).then(|| Caller {
            principal_uid: principal_uid.clone(),
        })
    }

    /// Every bearer issued so far (for tests that check it never leaks).
    pub fn all(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (String, SystemTime)>> {
        self.issued.lock().unwrap_or_else(|e| e.into_inner())
    }
}
