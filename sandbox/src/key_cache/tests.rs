use super::*;

fn set(kids: &[&str]) -> JwkSet {
    let keys: Vec<serde_json::Value> = kids
        .iter()
        .map(|kid| serde_json::json!({"kty": "oct", "k": "c2VjcmV0", "kid": kid}))
        .collect();
    serde_json::from_value(serde_json::json!({ "keys": keys })).unwrap()
}

async fn ask(cache: &KeyCache, issuer: &str, kid: &str, answer: Result<&[&str], &str>) -> Fetched {
    let fetched = answer.map(set).map_err(String::from);
    cache
        .keys(issuer, "", Some(kid), async move { fetched })
        .await
}

#[tokio::test(start_paused = true)]
async fn a_burst_of_tokens_makes_one_fetch() {
    let cache = KeyCache::default();
    for _ in 0..200 {
        ask(&cache, "https://idp", "k1", Ok(&["k1"])).await.unwrap();
    }
    assert_eq!(cache.fetches(), 1);
    tokio::time::advance(FRESH_FOR).await;
    ask(&cache, "https://idp", "k1", Ok(&["k1"])).await.unwrap();
    assert_eq!(cache.fetches(), 2, "stale keys are fetched again");
}

#[tokio::test(start_paused = true)]
async fn unknown_key_ids_and_failures_refetch_at_most_once_per_interval() {
    let cache = KeyCache::default();
    ask(&cache, "https://idp", "k1", Ok(&["k1"])).await.unwrap();
    tokio::time::advance(REFETCH_AFTER).await;
    for n in 0..200 {
        let forged = format!("forged-{n}");
        let keys = ask(&cache, "https://idp", &forged, Ok(&["k1", "k2"]))
            .await
            .unwrap();
        assert!(keys.find("k2").is_some());
    }
    assert_eq!(cache.fetches(), 2, "one refetch for the unknown key ids");
    let failing = "https://down";
    for _ in 0..200 {
        assert!(ask(&cache, failing, "k1", Err("refused")).await.is_err());
    }
    assert_eq!(cache.fetches(), 3, "a failure is remembered");
    tokio::time::advance(REFETCH_AFTER).await;
    ask(&cache, failing, "k1", Ok(&["k1"])).await.unwrap();
    assert_eq!(cache.fetches(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_changed_ca_is_another_issuer_and_the_cache_is_bounded() {
    let cache = KeyCache::default();
    ask(&cache, "https://idp", "k1", Ok(&["k1"])).await.unwrap();
    let fetched = cache
        .keys("https://idp", "other-ca", Some("k1"), async {
            Ok(set(&["k1"]))
        })
        .await;
    assert!(fetched.is_ok());
    assert_eq!(cache.fetches(), 2);
    for n in 0..MAX_ISSUERS + 10 {
        ask(&cache, &format!("https://idp-{n}"), "k1", Ok(&["k1"]))
            .await
            .unwrap();
    }
    assert_eq!(cache.entries.lock().await.len(), MAX_ISSUERS);
}
