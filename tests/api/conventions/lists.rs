//! Every list (every operation with a `cursor` parameter) pages alike: `limit` (50 by
//! default, the spec's maximum at most), `next_cursor` and a `Link` to the next page that
//! keeps every other parameter, every sort in both directions walked once with no overlap
//! and no gap, and the same 400s for a bad limit, cursor, sort or parameter.

use std::collections::BTreeSet;

use serde_json::Value;

use super::*;

const DEFAULT_LIMIT: usize = 50;

fn lists() -> Vec<Operation> {
    having(
        |op| op.query.iter().any(|(name, _)| name == "cursor"),
        4,
        "with a cursor",
    )
}

fn schema_of<'a>(op: &'a Operation, name: &str) -> &'a Value {
    op.query
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, schema)| schema)
        .unwrap_or_else(|| panic!("{}: a list without {name}", op.id))
}

/// The sort keys the spec allows: its enum, each key also as `-key`.
fn sort_keys(op: &Operation) -> Vec<String> {
    let values: Vec<&str> = schema_of(op, "sort")["enum"]
        .as_array()
        .expect("the sort values as an enum")
        .iter()
        .map(|v| v.as_str().expect("a sort value"))
        .collect();
    let keys: Vec<String> = values
        .iter()
        .filter(|v| !v.starts_with('-'))
        .map(|v| (*v).to_owned())
        .collect();
    for key in &keys {
        assert!(
            values.contains(&format!("-{key}").as_str()),
            "{}: -{key} listed",
            op.id
        );
    }
    assert_eq!(
        values.len(),
        2 * keys.len(),
        "{}: every value a key or -key",
        op.id
    );
    keys
}
fn max_limit(op: &Operation) -> usize {
    schema_of(op, "limit")["maximum"]
        .as_u64()
        .expect("a maximum limit") as usize
}

/// A filter that every item passes, so that following a `Link` must keep it without
/// changing what is listed.
fn neutral_filter(op: &Operation) -> Option<String> {
    op.query.iter().find_map(|(name, schema)| {
        match (schema["type"].as_str(), schema["format"].as_str()) {
            (Some("string"), Some("date-time")) => Some(format!("{name}=2000-01-01T00%3A00%3A00Z")),
            (Some("boolean"), _) => Some(format!("{name}=true")),
            _ => None,
        }
    })
}

fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&raw[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The URL of a `Link: <url>; rel="next"` header.
fn next_link(res: &Resp) -> Option<String> {
    let link = res.header("link")?;
    let url = link
        .strip_prefix('<')
        .and_then(|l| l.strip_suffix(">; rel=\"next\""))
        .unwrap_or_else(|| panic!("Link is not one rel=next link: {link}"));
    Some(url.to_owned())
}

/// Every page of `path?query`, following each `Link` as given; the items of each page.
/// Every page with a `next_cursor` has a `Link` that keeps every parameter of `query`
/// and carries that cursor; the last page has neither.
async fn walk(app: &TestApp, path: &str, query: &str) -> Vec<Vec<Value>> {
    let token = app.admin_token();
    let mut pages = Vec::new();
    let mut url = format!("{path}?{query}");
    loop {
        let res = app.get(&url).token(&token).send().await;
        assert_eq!(res.status, 200, "{url}: {}", res.text());
        let body = res.json();
        pages.push(body["data"].as_array().expect("data").clone());
        let link = next_link(&res);
        let Some(cursor) = body["next_cursor"].as_str() else {
            assert_eq!(link, None, "{url}: a Link on the last page");
            return pages;
        };
        let link = link.unwrap_or_else(|| panic!("{url}: a next_cursor without a Link"));
        assert!(link.starts_with(&format!("{path}?")), "{link}");
        let decoded = decode(&link);
        for param in query.split('&').filter(|p| !p.is_empty()) {
            assert!(decoded.contains(&decode(param)), "{link} drops {param}");
        }
        assert!(
            decoded.contains(&format!("cursor={cursor}")),
            "{link} lacks the cursor"
        );
        assert!(pages.len() < 200, "{url}: paging does not end");
        url = link;
    }
}

fn ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|i| i["id"].as_i64().expect("an id"))
        .collect()
}

/// Adds items to `list` by its recipe's `items` operation until it holds at least `n`.
async fn fill(app: &TestApp, cast: &Cast, list: &Operation, n: usize) {
    let recipe = recipe_for(list).unwrap_or_else(|e| panic!("{e}"));
    let maker = recipe
        .items
        .unwrap_or_else(|| panic!("{}: a list recipe needs .items(...)", list.id));
    let maker = spec_operations()
        .into_iter()
        .find(|op| op.id == maker)
        .expect("the items operation");
    loop {
        let walked: usize = walk(app, &list.path, "limit=200")
            .await
            .iter()
            .map(Vec::len)
            .sum();
        if walked >= n {
            return;
        }
        for _ in walked..n {
            let call = fresh_call(app, cast, &maker).await;
            let res = call.request(app).token(&app.admin_token()).send().await;
            assert!(res.status.is_success(), "{}: {}", maker.id, res.text());
        }
    }
}

#[actix_web::test]
async fn every_list_pages_through_every_sort_both_ways_once_with_links() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let mut walks = 0;
    for op in lists() {
        fill(&app, &cast, &op, DEFAULT_LIMIT + 2).await;
        let all = walk(&app, &op.path, "limit=200").await.concat();
        assert!(all.len() > DEFAULT_LIMIT, "{}: {}", op.id, all.len());

        let res = app.get(&op.path).token(&token).send().await;
        let body = res.json();
        assert_eq!(
            body["data"].as_array().unwrap().len(),
            DEFAULT_LIMIT,
            "{}: default limit",
            op.id
        );
        assert!(body["next_cursor"].is_string(), "{}", op.id);
        assert!(next_link(&res).is_some(), "{}", op.id);
        let max = max_limit(&op);
        let res = app
            .get(&format!("{}?limit={max}", op.path))
            .token(&token)
            .send()
            .await;
        let page = res.json()["data"].as_array().unwrap().len();
        assert_eq!(page, all.len().min(max), "{}: limit={max}", op.id);

        let filter = neutral_filter(&op);
        for key in sort_keys(&op) {
            let mut orders = Vec::new();
            for sort in [key.clone(), format!("-{key}")] {
                let mut query = format!("limit=7&sort={sort}");
                if let Some(filter) = &filter {
                    query = format!("{query}&{filter}");
                }
                let pages = walk(&app, &op.path, &query).await;
                let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
                let (last, full) = sizes.split_last().expect("a page");
                assert!(
                    full.iter().all(|&n| n == 7) && (1..=7).contains(last),
                    "{} {query}: {sizes:?}",
                    op.id
                );
                let walked = ids(&pages.concat());
                let whole = walk(&app, &op.path, &format!("limit=200&sort={sort}"))
                    .await
                    .concat();
                assert_eq!(
                    walked,
                    ids(&whole),
                    "{} {query}: the pages are the list",
                    op.id
                );
                let unique: BTreeSet<i64> = walked.iter().copied().collect();
                assert_eq!(unique.len(), all.len(), "{} {query}: each item once", op.id);
                if key.ends_with("_at") {
                    let times: Vec<chrono::DateTime<chrono::FixedOffset>> = pages
                        .concat()
                        .iter()
                        .map(|i| {
                            chrono::DateTime::parse_from_rfc3339(i[&key].as_str().expect("a time"))
                                .expect("RFC 3339")
                        })
                        .collect();
                    let ascending = times.windows(2).all(|w| w[0] <= w[1]);
                    let descending = times.windows(2).all(|w| w[0] >= w[1]);
                    assert!(
                        if sort.starts_with('-') {
                            descending
                        } else {
                            ascending
                        },
                        "{} {query}: not in {key} order",
                        op.id
                    );
                }
                orders.push(walked);
                walks += 1;
            }
            let mut descending = orders.pop().unwrap();
            descending.reverse();
            assert_eq!(
                orders.pop().unwrap(),
                descending,
                "{} {key}: -{key} is its reverse",
                op.id
            );
        }
    }
    eprintln!("{}: {walks} walks", module_path!());
    assert!(walks >= 2 * 7, "only {walks} walks");
}

/// Asserts a 400 problem naming `field` in `errors`.
#[track_caller]
fn assert_refused(res: &Resp, field: &str, what: &str) -> Value {
    assert_eq!(res.status, 400, "{what}: {}", res.text());
    let problem = res.problem(400);
    assert!(
        res.error_fields().iter().any(|f| f == field),
        "{what}: {problem}"
    );
    problem
}

/// Values of the wrong type for a filter of `schema`, if its type is checked.
fn wrong_values(doc: &Value, schema: &Value) -> Vec<&'static str> {
    let schema = resolve(doc, schema);
    if schema["enum"].is_array() {
        return vec!["dormant", "ACTIVE"];
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("integer"), _) => vec!["acme", "1.5", "99999999999999999999999"],
        (Some("boolean"), _) => vec!["maybe", "2"],
        (Some("string"), Some("date-time")) => {
            vec!["yesterday", "2026-01-01", "2026-13-01T00:00:00Z"]
        }
        _ => vec![],
    }
}

#[actix_web::test]
async fn every_list_refuses_bad_limits_cursors_sorts_and_parameters_alike() {
    let app = TestApp::spawn().await;
    let cast = cast(&app).await;
    let token = app.admin_token();
    let doc = suits::openapi::document();
    let mut checked = 0;
    for op in lists() {
        fill(&app, &cast, &op, 3).await;
        let get = |query: String| {
            app.get(&format!("{}?{query}", op.path))
                .token(&token)
                .send()
        };
        let max = max_limit(&op);
        for limit in [
            "0".to_owned(),
            "-1".to_owned(),
            "ten".to_owned(),
            "1.5".to_owned(),
            (max + 1).to_string(),
        ] {
            let res = get(format!("limit={limit}")).await;
            assert_refused(&res, "limit", &format!("{} limit={limit}", op.id));
            checked += 1;
        }
        let problem = get(format!("limit={}", max + 1)).await.json();
        assert!(
            problem.to_string().contains(&max.to_string()),
            "{}: says the maximum: {problem}",
            op.id
        );
        assert_eq!(get(format!("limit={max}")).await.status, 200, "{}", op.id);

        for cursor in ["garbage", "eyJzIjoxfQ", "%%%"] {
            assert_refused(
                &get(format!("cursor={cursor}")).await,
                "cursor",
                &format!("{} cursor={cursor}", op.id),
            );
            checked += 1;
        }
        let keys = sort_keys(&op);
        let sorts: Vec<String> = keys
            .iter()
            .flat_map(|k| [k.clone(), format!("-{k}")])
            .collect();
        for issued in &sorts {
            let first = get(format!("limit=1&sort={issued}")).await.json();
            let cursor = first["next_cursor"]
                .as_str()
                .expect("a next page")
                .to_owned();
            for sort in &sorts {
                let res = get(format!("limit=1&sort={sort}&cursor={cursor}")).await;
                if sort == issued {
                    assert_eq!(res.status, 200, "{} {sort}: {}", op.id, res.text());
                } else {
                    assert_refused(
                        &res,
                        "cursor",
                        &format!("{} cursor of {issued} with {sort}", op.id),
                    );
                }
                checked += 1;
            }
        }
        for sort in [
            "colour".to_owned(),
            "-colour".to_owned(),
            format!("--{}", keys[0]),
            format!("{}-", keys[0]),
        ] {
            let problem = assert_refused(
                &get(format!("sort={sort}")).await,
                "sort",
                &format!("{} sort={sort}", op.id),
            );
            assert!(
                problem["detail"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(&keys[0]),
                "{}: names the sorts: {problem}",
                op.id
            );
            checked += 1;
        }
        let problem = assert_refused(&get("colour=red".to_owned()).await, "colour", &op.id);
        assert!(
            problem["detail"]
                .as_str()
                .unwrap_or_default()
                .contains("colour"),
            "{problem}"
        );
        checked += 1;
        for (name, schema) in &op.query {
            for value in wrong_values(&doc, schema) {
                assert_refused(
                    &get(format!("{name}={value}")).await,
                    name,
                    &format!("{} {name}={value}", op.id),
                );
                checked += 1;
            }
        }
    }
    eprintln!("{}: {checked} cases", module_path!());
    assert!(checked >= 4 * 15, "only {checked} cases");
}
