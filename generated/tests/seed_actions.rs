//! The five generated seed actions (`orgs.get`, `orgs.post`, `instanceOrg.get`,
//! `instanceOrg.patch`, `instanceOrg.delete`) over real HTTP against a local mock server: what
//! goes on the wire, how the published examples decode, what is refused before sending, scopes,
//! retries and pagination.
//!
//! The response bodies are Losant's published examples, read from
//! `third_party/losant-api/apiExamples.json` (Losant's published description, kept in the
//! repository); the tests fail, rather than skip, when that file is missing.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use futures_util::TryStreamExt;
use losant::instance_org::{
    InstanceOrgDeleteRequest as InstanceOrgDelete, InstanceOrgGetRequest as InstanceOrgGet,
    InstanceOrgPatchRequest as InstanceOrgPatch,
};
use losant::models::{
    Banner, DisabledAt, InstanceOrganization, InstanceOwnedOrganizationDisabledAt,
    InstanceOwnedOrganizationPatch, InstanceOwnedOrganizationPatchLimits, Level, MfaMode,
    Organization, OrganizationPost, Organizations, Role, SortDirection, SubscriptionStatus,
    Success, Tag,
};
use losant::orgs::{
    OrgsGetFilterField, OrgsGetRequest as OrgsGet, OrgsGetSortField, OrgsPostRequest as OrgsPost,
};
use losant::runtime::Request;
use losant::{Client, Error, RetryPolicy};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use wiremock::matchers::{any, method, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "tok-seed-7c41-very-secret";
const INSTANCE: &str = "575ec8687ae143cd83dc4a97";
/// Upper-case hex is allowed by `^[A-Fa-f\d]{24}$` and must reach the path unchanged.
const ORG: &str = "575ED6E87AE143CD83DC4AA8";
const ORG_PATH: &str = "/instances/575ec8687ae143cd83dc4a97/orgs/575ED6E87AE143CD83DC4AA8";
const ID_PATTERN_PROBLEM: &str = r"must match the pattern `^[A-Fa-f\d]{24}$`";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Losant's published examples, one per schema name, read once. (A `OnceLock` rather than a
/// `LazyLock`: when the file is missing every test fails with the same clear message instead
/// of a "poisoned" one.)
fn examples() -> &'static Value {
    static EXAMPLES: OnceLock<Value> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../third_party/losant-api/apiExamples.json");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
            panic!(
                "these tests need Losant's published API examples at {}: {err}",
                path.display()
            )
        });
        serde_json::from_str(&text)
            .unwrap_or_else(|err| panic!("{} is not valid JSON: {err}", path.display()))
    })
}

/// The published example of schema `name`.
fn example(name: &str) -> Value {
    examples()
        .get(name)
        .unwrap_or_else(|| panic!("apiExamples.json has no example named `{name}`"))
        .clone()
}

/// The published example of schema `name`, decoded as `T`.
fn decoded<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_value(example(name))
        .unwrap_or_else(|err| panic!("the `{name}` example does not decode: {err}"))
}

fn to_json(value: &impl Serialize) -> Value {
    serde_json::to_value(value).expect("models serialize")
}

/// A client for `server` that never retries.
fn client(server: &MockServer) -> Client {
    Client::builder(TOKEN)
        .base_url(server.uri())
        .retry(RetryPolicy::none())
        .build()
        .expect("valid configuration")
}

/// Answers every request with `status` and `body`.
async fn answer(server: &MockServer, status: u16, body: &Value) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(server)
        .await;
}

/// Fails the test (when `server` is dropped) if any request reaches it.
async fn expect_no_traffic(server: &MockServer) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(500))
        .expect(0)
        .mount(server)
        .await;
}

async fn received(server: &MockServer) -> Vec<wiremock::Request> {
    server.received_requests().await.expect("recording is on")
}

/// What one request must look like on the wire.
struct Expected<'a> {
    method: &'a str,
    path: &'a str,
    /// Every query pair, in any order (duplicates count).
    query: &'a [(&'a str, &'a str)],
    /// The JSON body; `None` means no body and no `Content-Type`.
    body: Option<Value>,
    losantdomain: Option<&'a str>,
}

/// The values of header `name` (all of them, to catch duplicates).
fn header_values(request: &wiremock::Request, name: &str) -> Vec<String> {
    request
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().expect("visible ASCII").to_owned())
        .collect()
}

#[track_caller]
fn assert_sent(request: &wiremock::Request, expected: &Expected<'_>) {
    let url = &request.url;
    assert_eq!(request.method.as_str(), expected.method, "method of {url}");
    assert_eq!(url.path(), expected.path, "path of {url}");

    let mut query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    query.sort();
    let mut wanted: Vec<(String, String)> = expected
        .query
        .iter()
        .map(|&(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    wanted.sort();
    assert_eq!(query, wanted, "query of {url}");
    if expected.query.is_empty() {
        assert_eq!(url.query(), None, "no query string at all: {url}");
    }

    let bearer = format!("Bearer {TOKEN}");
    assert_eq!(header_values(request, "authorization"), [bearer.as_str()]);
    assert_eq!(header_values(request, "accept"), ["application/json"]);
    assert_eq!(header_values(request, "accept-version"), ["^1.30.0"]);
    assert_eq!(
        header_values(request, "losantdomain"),
        expected.losantdomain.into_iter().collect::<Vec<_>>(),
        "losantdomain header of {url}"
    );
    match &expected.body {
        Some(body) => {
            assert_eq!(header_values(request, "content-type"), ["application/json"]);
            let sent: Value = serde_json::from_slice(&request.body).expect("a JSON body");
            assert_eq!(&sent, body, "body of {url}");
        }
        None => {
            assert_eq!(header_values(request, "content-type"), Vec::<String>::new());
            assert!(request.body.is_empty(), "no body expected for {url}");
        }
    }
}

/// Neither the message nor the debug output of `err` may contain the token.
#[track_caller]
fn assert_no_token(err: &Error) {
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
}

/// The problems of an [`Error::InvalidRequest`] as `path: message`, after checking the
/// operation it names.
#[track_caller]
fn problems(err: &Error, operation: &str) -> Vec<String> {
    assert_no_token(err);
    let Error::InvalidRequest {
        operation: op,
        errors,
    } = err
    else {
        panic!("expected Error::InvalidRequest, got {err:?}")
    };
    assert_eq!(*op, operation);
    errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect()
}

/// Stands for a key missing on one side in [`json_diffs`].
const ABSENT: &str = "<absent>";

/// Every leaf where `a` and `b` differ, as (JSON pointer, value in `a`, value in `b`); a key
/// present on one side only is reported with [`ABSENT`] on the other (so a dropped `null` shows).
fn json_diffs(a: &Value, b: &Value) -> Vec<(String, Value, Value)> {
    fn walk(a: &Value, b: &Value, at: &str, out: &mut Vec<(String, Value, Value)>) {
        let child = |key: &str| format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                for (key, value) in x {
                    match y.get(key) {
                        Some(other) => walk(value, other, &child(key), out),
                        None => out.push((child(key), value.clone(), json!(ABSENT))),
                    }
                }
                for (key, value) in y.iter().filter(|(key, _)| !x.contains_key(*key)) {
                    out.push((child(key), json!(ABSENT), value.clone()));
                }
            }
            (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
                for (i, (p, q)) in x.iter().zip(y).enumerate() {
                    walk(p, q, &child(&i.to_string()), out);
                }
            }
            _ if a != b => out.push((at.to_owned(), a.clone(), b.clone())),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(a, b, "", &mut out);
    out
}

/// Decodes the `name` example as `T`, checks that re-decoding its encoding gives the same
/// model, and returns where the re-encoded JSON differs from the published one.
fn round_trip<T>(name: &str) -> Vec<(String, Value, Value)>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let original = example(name);
    let model: T = decoded(name);
    let encoded = to_json(&model);
    let again: T = serde_json::from_value(encoded.clone()).expect("re-decodes");
    assert_eq!(again, model, "`{name}`: model -> JSON -> model is lossless");
    json_diffs(&original, &encoded)
}

fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32, ms: i64) -> DateTime<FixedOffset> {
    (Utc.with_ymd_and_hms(y, mo, d, h, mi, s)
        .single()
        .expect("valid date")
        + chrono::Duration::milliseconds(ms))
    .fixed_offset()
}

/// A difference a round trip may show: the same instant written differently, or the same
/// number as an integer and as a float.
fn same_meaning(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) => {
            match (
                DateTime::parse_from_rfc3339(x),
                DateTime::parse_from_rfc3339(y),
            ) {
                (Ok(x), Ok(y)) => x == y,
                _ => false,
            }
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Requests: method, path, query, headers and body of each action
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn orgs_get_sends_only_the_parameters_that_were_set() {
    let server = MockServer::start().await;
    answer(&server, 200, &example("orgs")).await;
    let client = client(&server);

    client.orgs().get().await.expect("minimal");
    client
        .orgs()
        .get()
        .sort_field(OrgsGetSortField::CreationDate)
        .sort_direction(SortDirection::Desc)
        .page(0)
        .per_page(10)
        .filter_field(OrgsGetFilterField::Name)
        .filter("my*org")
        .summary_exclude("payloadCount")
        .summary_include("appCount,deviceCount")
        .actions(false)
        .links(true)
        .embedded(true)
        .losantdomain("example.com")
        .await
        .expect("every parameter");
    client
        .orgs()
        .get()
        .sort_field(OrgsGetSortField::LastUpdated)
        .sort_direction(SortDirection::Asc)
        .page(3)
        .await
        .expect("some parameters");

    let sent = received(&server).await;
    assert_eq!(sent.len(), 3);
    let plain = |query| Expected {
        method: "GET",
        path: "/orgs",
        query,
        body: None,
        losantdomain: None,
    };
    assert_sent(&sent[0], &plain(&[]));
    assert_sent(
        &sent[1],
        &Expected {
            losantdomain: Some("example.com"),
            ..plain(&[
                ("sortField", "creationDate"),
                ("sortDirection", "desc"),
                ("page", "0"),
                ("perPage", "10"),
                ("filterField", "name"),
                ("filter", "my*org"),
                ("summaryExclude", "payloadCount"),
                ("summaryInclude", "appCount,deviceCount"),
                ("_actions", "false"),
                ("_links", "true"),
                ("_embedded", "true"),
            ])
        },
    );
    assert_sent(
        &sent[2],
        &plain(&[
            ("sortField", "lastUpdated"),
            ("sortDirection", "asc"),
            ("page", "3"),
        ]),
    );
}

#[tokio::test]
async fn orgs_post_sends_the_organization_as_json() {
    let server = MockServer::start().await;
    answer(&server, 201, &example("org")).await;
    let client = client(&server);

    // The published request example, sent as is.
    let published: OrganizationPost = decoded("orgPost");
    client.orgs().post(published).await.expect("published body");
    let full = OrganizationPost {
        description: Some("Made by a test".to_owned()),
        plan_id: Some("free".to_owned()),
        billing_email: Some("billing@example.com".to_owned()),
        card_token: Some("tok_visa".to_owned()),
        icon_color: Some("#057180".to_owned()),
        mfa_mode: Some(MfaMode::AdminRequired),
        ..OrganizationPost::new("Édition spéciale".to_owned())
    };
    client
        .orgs()
        .post(full)
        .summary_exclude("payloadCount")
        .summary_include("appCount")
        .actions(true)
        .losantdomain("example.com")
        .await
        .expect("every field");

    let sent = received(&server).await;
    assert_eq!(sent.len(), 2);
    assert_sent(
        &sent[0],
        &Expected {
            method: "POST",
            path: "/orgs",
            query: &[],
            body: Some(json!({
                "name": "My New Organization",
                "description": "Description of my new organization"
            })),
            losantdomain: None,
        },
    );
    assert_sent(
        &sent[1],
        &Expected {
            method: "POST",
            path: "/orgs",
            query: &[
                ("summaryExclude", "payloadCount"),
                ("summaryInclude", "appCount"),
                ("_actions", "true"),
            ],
            body: Some(json!({
                "name": "Édition spéciale",
                "description": "Made by a test",
                "planId": "free",
                "billingEmail": "billing@example.com",
                "cardToken": "tok_visa",
                "iconColor": "#057180",
                "mfaMode": "adminRequired"
            })),
            losantdomain: Some("example.com"),
        },
    );
}

#[tokio::test]
async fn instance_org_get_puts_both_ids_in_the_path() {
    let server = MockServer::start().await;
    answer(&server, 200, &example("instanceOrg")).await;
    let client = client(&server);

    client
        .instance_org()
        .get(INSTANCE, ORG)
        .await
        .expect("minimal");
    client
        .instance_org()
        .get(INSTANCE.to_owned(), ORG.to_owned())
        .summary_include("payloadCount")
        .links(false)
        .embedded(false)
        .losantdomain("example.com")
        .await
        .expect("every parameter");

    let sent = received(&server).await;
    assert_eq!(sent.len(), 2);
    let get = |query, losantdomain| Expected {
        method: "GET",
        path: ORG_PATH,
        query,
        body: None,
        losantdomain,
    };
    assert_sent(&sent[0], &get(&[], None));
    assert_sent(
        &sent[1],
        &get(
            &[
                ("summaryInclude", "payloadCount"),
                ("_links", "false"),
                ("_embedded", "false"),
            ],
            Some("example.com"),
        ),
    );
}

#[tokio::test]
async fn instance_org_patch_sends_the_changes_as_json() {
    let server = MockServer::start().await;
    answer(&server, 200, &example("instanceOrg")).await;
    let client = client(&server);

    let published: InstanceOwnedOrganizationPatch = decoded("instanceOrgPatch");
    client
        .instance_org()
        .patch(INSTANCE, ORG, published)
        .await
        .expect("published body");
    let tag = Tag::new("env".to_owned(), "staging".to_owned());
    let changes = InstanceOwnedOrganizationPatch {
        icon_color: Some("#ff0000".to_owned()),
        tags: Some(vec![tag]),
        disabled_at: Some(InstanceOwnedOrganizationDisabledAt::DateTime(utc(
            2024, 3, 1, 12, 0, 0, 250,
        ))),
        banner: Some(Banner {
            message: Some("Maintenance tonight".to_owned()),
            level: Some(Level::Critical),
        }),
        ..Default::default()
    };
    client
        .instance_org()
        .patch(INSTANCE, ORG, changes)
        .summary_include("payloadCount")
        .losantdomain("example.com")
        .await
        .expect("some fields");

    let sent = received(&server).await;
    assert_eq!(sent.len(), 2);
    assert_sent(
        &sent[0],
        &Expected {
            method: "PATCH",
            path: ORG_PATH,
            query: &[],
            body: Some(example("instanceOrgPatch")),
            losantdomain: None,
        },
    );
    assert_sent(
        &sent[1],
        &Expected {
            method: "PATCH",
            path: ORG_PATH,
            query: &[("summaryInclude", "payloadCount")],
            body: Some(json!({
                "iconColor": "#ff0000",
                "tags": [{"key": "env", "value": "staging"}],
                "disabledAt": "2024-03-01T12:00:00.250Z",
                "banner": {"message": "Maintenance tonight", "level": "critical"}
            })),
            losantdomain: Some("example.com"),
        },
    );
}

#[tokio::test]
async fn instance_org_delete_sends_no_body() {
    let server = MockServer::start().await;
    answer(&server, 200, &example("success")).await;
    let client = client(&server);

    let done = client
        .instance_org()
        .delete(INSTANCE, ORG)
        .await
        .expect("minimal");
    assert_eq!(
        done,
        Success {
            success: Some(true)
        }
    );
    client
        .instance_org()
        .delete(INSTANCE, ORG)
        .actions(true)
        .links(true)
        .embedded(true)
        .losantdomain("example.com")
        .await
        .expect("every parameter");

    let sent = received(&server).await;
    assert_eq!(sent.len(), 2);
    let delete = |query, losantdomain| Expected {
        method: "DELETE",
        path: ORG_PATH,
        query,
        body: None,
        losantdomain,
    };
    assert_sent(&sent[0], &delete(&[], None));
    assert_sent(
        &sent[1],
        &delete(
            &[
                ("_actions", "true"),
                ("_links", "true"),
                ("_embedded", "true"),
            ],
            Some("example.com"),
        ),
    );
}

#[tokio::test]
async fn ids_that_could_change_the_path_are_refused_without_traffic() {
    let server = MockServer::start().await;
    expect_no_traffic(&server).await;
    let client = client(&server);
    let patch = InstanceOwnedOrganizationPatch::default;

    // `..` cannot be sent as a segment at all, and is not an id either.
    let dots = [
        "instanceId: `..` cannot be used as a path segment (it must not be empty, `.` or `..`)"
            .to_owned(),
        format!("instanceId: {ID_PATTERN_PROBLEM}"),
    ];
    let err = client.instance_org().get("..", ORG).await.expect_err("..");
    assert_eq!(problems(&err, "instanceOrg.get"), dots);
    let err = (client.instance_org().patch("..", ORG, patch()).await).expect_err("..");
    assert_eq!(problems(&err, "instanceOrg.patch"), dots);
    let err = client
        .instance_org()
        .delete("..", ORG)
        .await
        .expect_err("..");
    assert_eq!(problems(&err, "instanceOrg.delete"), dots);

    // Ids with a slash or a dot segment are not ids; both parameters are checked.
    for bad in ["../x", "a/b", "%2e%2e", "575ec8687ae143cd83dc4a97/.."] {
        let both = [
            format!("instanceId: {ID_PATTERN_PROBLEM}"),
            format!("orgId: {ID_PATTERN_PROBLEM}"),
        ];
        let err = client.instance_org().get(bad, bad).await.expect_err(bad);
        assert_eq!(problems(&err, "instanceOrg.get"), both, "{bad}");
        let err = (client.instance_org().patch(bad, bad, patch()).await).expect_err(bad);
        assert_eq!(problems(&err, "instanceOrg.patch"), both, "{bad}");
        let err = client.instance_org().delete(bad, bad).await.expect_err(bad);
        assert_eq!(problems(&err, "instanceOrg.delete"), both, "{bad}");
    }
    let err = client
        .instance_org()
        .get(INSTANCE, "")
        .await
        .expect_err("empty");
    assert_eq!(
        err.to_string(),
        "instanceOrg.get: invalid request, nothing was sent: 2 problems: `orgId`: `` cannot be \
         used as a path segment (it must not be empty, `.` or `..`); `orgId`: must match the \
         pattern `^[A-Fa-f\\d]{24}$`"
    );
}

#[tokio::test]
async fn the_generated_path_template_takes_each_id_as_one_encoded_segment() {
    // The generated builders only let 24-hex-digit ids through; this sends the generated
    // operations' path template with other values to show they stay one segment each.
    let server = MockServer::start().await;
    answer(&server, 200, &example("success")).await;
    let client = client(&server);

    let operations = [
        InstanceOrgGet::OPERATION,
        InstanceOrgPatch::OPERATION,
        InstanceOrgDelete::OPERATION,
    ];
    for operation in operations {
        let mut request = Request::new(operation);
        request.path_param("instanceId", "../x");
        request.path_param("orgId", "a/b?c#d");
        let _: Value = client.execute(request).await.expect("sent");
    }
    let sent = received(&server).await;
    let seen: Vec<(&str, &str)> = sent
        .iter()
        .map(|r| (r.method.as_str(), r.url.path()))
        .collect();
    let path = "/instances/..%2Fx/orgs/a%2Fb%3Fc%23d";
    assert_eq!(seen, [("GET", path), ("PATCH", path), ("DELETE", path)]);
    assert!(sent.iter().all(|r| r.url.query().is_none()));
}

// ---------------------------------------------------------------------------------------------
// 2. Responses: the published examples decode, unknown fields and values are accepted
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn orgs_get_decodes_the_published_collection() {
    let server = MockServer::start().await;
    answer(&server, 200, &example("orgs")).await;

    let page = client(&server).orgs().get().await.expect("decodes");
    assert_eq!(page.count, Some(1));
    assert_eq!(page.total_count, Some(2));
    assert_eq!(page.page, Some(0));
    assert_eq!(page.per_page, Some(1));
    assert_eq!(page.sort_field.as_deref(), Some("name"));
    assert_eq!(page.sort_direction, Some(SortDirection::Asc));
    let items = page.items.expect("items");
    assert_eq!(items.len(), 1);
    let org = &items[0];
    assert_eq!(org.name.as_deref(), Some("My Organization"));
    assert_eq!(org.id.as_deref(), Some("575ed6e87ae143cd83dc4aa8"));
    assert_eq!(org.creation_date, Some(utc(2016, 6, 13, 4, 0, 0, 0)));
    let members = org.members.as_ref().expect("members");
    let roles: Vec<_> = members.iter().map(|m| m.role.clone()).collect();
    assert_eq!(roles, [Some(Role::Admin), Some(Role::View)]);
    assert_eq!(members[1].email.as_deref(), Some("viewer@example.com"));
    let summary = org.summary.as_ref().expect("summary");
    assert_eq!(
        (summary.device_count, summary.flow_count),
        (Some(12), Some(3))
    );
    // The collection's item is the published single organization.
    assert_eq!(org, &decoded::<Organization>("org"));
}

#[tokio::test]
async fn orgs_post_decodes_the_created_organization() {
    let server = MockServer::start().await;
    answer(&server, 201, &example("org")).await;

    let org = client(&server)
        .orgs()
        .post(OrganizationPost::new("My Organization".to_owned()))
        .await
        .expect("201 decodes");
    assert_eq!(org.name.as_deref(), Some("My Organization"));
    assert_eq!(org.org_id.as_deref(), Some("575ed6e87ae143cd83dc4aa8"));
    assert_eq!(org.last_updated, Some(utc(2016, 6, 13, 4, 0, 0, 0)));
    assert_eq!(org.members.as_ref().map(Vec::len), Some(2));
    assert_eq!(org, decoded::<Organization>("org"));
}

#[tokio::test]
async fn instance_org_get_and_patch_decode_the_published_organization() {
    let server = MockServer::start().await;
    answer(&server, 200, &example("instanceOrg")).await;
    let client = client(&server);

    let org = client
        .instance_org()
        .get(INSTANCE, ORG)
        .await
        .expect("decodes");
    assert_eq!(org.name, "My Org");
    assert_eq!(org.instance_id.as_deref(), Some("60106426dc03c6aad06560ba"));
    assert_eq!(org.creation_date, Some(utc(2022, 10, 26, 19, 27, 42, 736)));
    assert_eq!(
        org.current_period_end,
        Some(utc(2023, 1, 31, 11, 59, 59, 999))
    );
    assert_eq!(org.audit_log_enabled, Some(false));
    assert_eq!(org.disabled_at, Some(DisabledAt::Boolean(false)));
    assert_eq!(org.mfa_mode, Some(MfaMode::NotRequired));
    assert_eq!(org.whitelisted_email_domains, Some(vec![]));
    assert_eq!(
        org.tags,
        Some(vec![Tag::new("my".to_owned(), "tag".to_owned())])
    );
    let banner = org.banner.as_ref().expect("banner");
    assert_eq!(banner.level, Some(Level::Warning));
    assert_eq!(banner.message, Some("A banner message".to_owned()));

    let limits = org.limits.as_ref().expect("limits");
    assert_eq!(limits.member, Some(100));
    assert_eq!(limits.data_ttl, Some(15_552_000));
    assert_eq!(limits.storage, Some(1_073_741_824));
    assert_eq!(limits.payload, Some(75_000_000));
    assert_eq!(limits.system_interval, Some(5));
    assert_eq!(limits.application_flow_slots, Some(350));

    let summary = org.summary.as_ref().expect("summary");
    assert_eq!(summary.key_count, Some(17));
    let payload = summary.payload_count.as_ref().expect("payloadCount");
    let integration = payload.integration.as_ref().expect("integration");
    assert_eq!(
        integration.get("integration.flow").and_then(Value::as_f64),
        Some(67_679.0)
    );
    assert_eq!(
        summary.notebook_stats.as_ref().map(|n| n.runs_this_period),
        Some(Some(0))
    );

    let patched = client
        .instance_org()
        .patch(INSTANCE, ORG, InstanceOwnedOrganizationPatch::default())
        .await
        .expect("decodes");
    assert_eq!(patched, org);
    assert_eq!(org, decoded::<InstanceOrganization>("instanceOrg"));
}

#[test]
fn disabled_at_is_false_or_a_date() {
    let with = |disabled_at: Value| {
        let mut body = example("instanceOrg");
        body["disabledAt"] = disabled_at;
        serde_json::from_value::<InstanceOrganization>(body).map(|org| org.disabled_at)
    };
    assert_eq!(
        with(json!(false)).expect("false"),
        Some(DisabledAt::Boolean(false))
    );
    assert_eq!(
        with(json!("2024-03-01T12:00:00.000Z")).expect("a date"),
        Some(DisabledAt::DateTime(utc(2024, 3, 1, 12, 0, 0, 0)))
    );
    assert_eq!(with(json!(null)).expect("null"), None);
    assert!(with(json!("yesterday")).is_err());
    assert!(with(json!(7)).is_err());
    assert_eq!(
        to_json(&DisabledAt::DateTime(utc(2024, 3, 1, 12, 0, 0, 5))),
        json!("2024-03-01T12:00:00.005Z")
    );
    assert_eq!(to_json(&DisabledAt::Boolean(false)), json!(false));
}

#[tokio::test]
async fn unknown_fields_and_enum_values_in_responses_are_accepted() {
    let server = MockServer::start().await;
    let mut orgs = example("orgs");
    orgs["newTopLevel"] = json!({"nested": [1, 2]});
    orgs["sortDirection"] = json!("sideways");
    orgs["items"][0]["futureField"] = json!(true);
    orgs["items"][0]["members"][0]["role"] = json!("superuser");
    orgs["items"][0]["members"][0]["mood"] = json!("happy");
    orgs["items"][0]["summary"]["quantumCount"] = json!(3);
    let mut instance_org = example("instanceOrg");
    instance_org["mfaMode"] = json!("passkeysOnly");
    instance_org["subscriptionStatus"] = json!("paused");
    instance_org["banner"]["level"] = json!("emergency");
    instance_org["limits"]["teleporter"] = json!(1);
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/orgs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&orgs))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path(ORG_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(&instance_org))
        .mount(&server)
        .await;
    let client = client(&server);

    let page = client.orgs().get().await.expect("unknown fields accepted");
    assert_eq!(
        page.sort_direction,
        Some(SortDirection::Unknown("sideways".to_owned()))
    );
    let items = page.items.expect("items");
    let members = items[0].members.as_ref().expect("members");
    let role = members[0].role.clone().expect("role");
    assert_eq!(role, Role::Unknown("superuser".to_owned()));
    assert_eq!(role.as_str(), "superuser");
    assert_eq!(to_json(&role), json!("superuser"));
    assert_eq!(to_json(&members[0])["role"], json!("superuser"));
    assert_eq!(items[0].name.as_deref(), Some("My Organization"));

    let org = client
        .instance_org()
        .get(INSTANCE, ORG)
        .await
        .expect("unknown values accepted");
    let mfa = org.mfa_mode.clone().expect("mfaMode");
    assert_eq!(mfa, MfaMode::Unknown("passkeysOnly".to_owned()));
    assert_eq!(
        org.subscription_status,
        Some(SubscriptionStatus::Unknown("paused".to_owned()))
    );
    let encoded = to_json(&org);
    assert_eq!(encoded["mfaMode"], json!("passkeysOnly"));
    assert_eq!(encoded["subscriptionStatus"], json!("paused"));
    assert_eq!(encoded["banner"]["level"], json!("emergency"));

    // A value the API sent but this crate does not know is sent back as is: the server
    // decides whether it accepts it.
    Mock::given(method("PATCH"))
        .and(wiremock::matchers::path(ORG_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(&instance_org))
        .expect(1)
        .mount(&server)
        .await;
    let echo = InstanceOwnedOrganizationPatch {
        mfa_mode: Some(mfa),
        ..Default::default()
    };
    client
        .instance_org()
        .patch(INSTANCE, ORG, echo)
        .await
        .expect("unknown value sent");
    let sent = received(&server).await;
    assert_eq!(sent.len(), 3);
    let body: Value = serde_json::from_slice(&sent[2].body).expect("JSON body");
    assert_eq!(body, json!({"mfaMode": "passkeysOnly"}));
}

#[test]
fn published_examples_round_trip_through_the_models() {
    // Exact: re-encoding gives back the published JSON.
    assert_eq!(round_trip::<Success>("success"), []);
    assert_eq!(round_trip::<losant::models::Error>("error"), []);
    assert_eq!(round_trip::<OrganizationPost>("orgPost"), []);
    assert_eq!(
        round_trip::<InstanceOwnedOrganizationPatch>("instanceOrgPatch"),
        []
    );

    // Byte for byte too: date-times keep their offset and are written with milliseconds, as
    // Losant writes them, and numbers keep their form (a map of counts holds JSON values).
    let cases = [
        (
            "org",
            round_trip::<Organization>("org"),
            Vec::<(String, Value, Value)>::new(),
        ),
        ("orgs", round_trip::<Organizations>("orgs"), Vec::new()),
        (
            "instanceOrg",
            round_trip::<InstanceOrganization>("instanceOrg"),
            Vec::new(),
        ),
    ];
    for (name, mut diffs, mut expected) in cases {
        diffs.sort_by(|a, b| a.0.cmp(&b.0));
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(diffs, expected, "`{name}` round trip");
        for (at, original, encoded) in &diffs {
            assert!(
                same_meaning(original, encoded),
                "`{name}`{at}: {original} vs {encoded}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// 3. PATCH: the fields set go out, the others stay out
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn patch_sends_the_fields_set_and_leaves_the_others_out() {
    let server = MockServer::start().await;
    answer(&server, 200, &example("instanceOrg")).await;
    let client = client(&server);

    // `instanceOrgPatch` allows `null` nowhere, so no field takes one: each is a plain
    // `Option` (unset, or a value), not a `Nullable`.
    let limits = InstanceOwnedOrganizationPatchLimits {
        member: Some(500),
        ..Default::default()
    };
    let changes = InstanceOwnedOrganizationPatch {
        name: Some("Renamed".to_owned()),
        whitelisted_email_domains: Some(vec!["example.com".to_owned()]),
        audit_log_enabled: Some(false),
        disabled_at: Some(InstanceOwnedOrganizationDisabledAt::Boolean(false)),
        limits: Some(limits),
        ..Default::default()
    };
    client
        .instance_org()
        .patch(INSTANCE, ORG, changes)
        .await
        .expect("sent");
    client
        .instance_org()
        .patch(INSTANCE, ORG, InstanceOwnedOrganizationPatch::default())
        .await
        .expect("sent");

    let bodies: Vec<Value> = received(&server)
        .await
        .iter()
        .map(|r| r.body_json().expect("JSON body"))
        .collect();
    assert_eq!(
        bodies,
        [
            json!({
                "name": "Renamed",
                "whitelistedEmailDomains": ["example.com"],
                "auditLogEnabled": false,
                "disabledAt": false,
                "limits": {"member": 500}
            }),
            json!({}),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// 4. Errors: API errors and undecodable bodies
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_404_is_an_api_error_with_type_message_and_body() {
    let server = MockServer::start().await;
    let body = r#"{"type":"NotFound","message":"Organization was not found"}"#;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(404).set_body_raw(body.as_bytes().to_vec(), "application/json"),
        )
        .mount(&server)
        .await;
    let client = client(&server);

    let err = client
        .instance_org()
        .get(INSTANCE, ORG)
        .await
        .expect_err("404");
    assert_no_token(&err);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(err.operation(), Some("instanceOrg.get"));
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "instanceOrg.get: the API answered 404 Not Found (NotFound): Organization was not found"
    );
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}")
    };
    assert_eq!(api.status.as_u16(), 404);
    assert_eq!(api.error_type.as_deref(), Some("NotFound"));
    assert_eq!(api.message.as_deref(), Some("Organization was not found"));
    assert_eq!(api.body, body);
    let model: losant::models::Error = api.decode().expect("the error model");
    assert_eq!(model.type_.as_deref(), Some("NotFound"));

    // The same for the other actions, with the published error example.
    server.reset().await;
    answer(&server, 404, &example("error")).await;
    let errors = [
        client.orgs().get().await.expect_err("404"),
        (client
            .orgs()
            .post(OrganizationPost::new("x".to_owned()))
            .await)
            .expect_err("404"),
        (client
            .instance_org()
            .patch(INSTANCE, ORG, Default::default())
            .await)
            .expect_err("404"),
        client
            .instance_org()
            .delete(INSTANCE, ORG)
            .await
            .expect_err("404"),
    ];
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let suffix = "the API answered 404 Not Found (NotFound): Application was not found";
    assert_eq!(
        texts,
        [
            "orgs.get",
            "orgs.post",
            "instanceOrg.patch",
            "instanceOrg.delete"
        ]
        .map(|op| format!("{op}: {suffix}"))
    );
    for err in &errors {
        assert_no_token(err);
        let Error::Api(api) = err else {
            panic!("expected Error::Api, got {err:?}")
        };
        assert_eq!(
            api.decode::<losant::models::Error>().expect("decodes"),
            decoded::<losant::models::Error>("error")
        );
    }
}

#[tokio::test]
async fn a_2xx_body_that_is_not_the_model_is_a_decode_error() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/orgs"))
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>Welcome to nginx</html>"))
        .mount(&server)
        .await;
    let long = format!("<html>{}</html>", "x".repeat(500));
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_string(long))
        .mount(&server)
        .await;
    // JSON, but without the required `name`.
    Mock::given(method("GET"))
        .and(wiremock::matchers::path(ORG_PATH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": INSTANCE})))
        .mount(&server)
        .await;
    let client = client(&server);

    let err = client.orgs().get().await.expect_err("not JSON");
    assert_no_token(&err);
    let Error::Decode {
        operation,
        status,
        excerpt,
        ..
    } = &err
    else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!((*operation, status.as_u16()), ("orgs.get", 200));
    assert_eq!(excerpt, "<html>Welcome to nginx</html>");
    assert_eq!(
        err.to_string(),
        "orgs.get: the API answered 200 OK with a body that could not be decoded (expected value \
         at line 1 column 1); it starts with: <html>Welcome to nginx</html>"
    );

    let err = (client
        .orgs()
        .post(OrganizationPost::new("x".to_owned()))
        .await)
        .expect_err("html");
    let Error::Decode {
        status, excerpt, ..
    } = &err
    else {
        panic!("expected Error::Decode, got {err:?}")
    };
    assert_eq!(status.as_u16(), 201);
    assert_eq!(excerpt.chars().count(), 200);
    assert!(
        excerpt.starts_with("<html>xxx") && excerpt.ends_with('…'),
        "{excerpt}"
    );

    let err = client
        .instance_org()
        .get(INSTANCE, ORG)
        .await
        .expect_err("no name");
    assert_no_token(&err);
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    assert!(err.to_string().contains("missing field `name`"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 5. Validation before sending
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn instance_ids_must_be_24_hex_digits() {
    let server = MockServer::start().await;
    expect_no_traffic(&server).await;
    let client = client(&server);

    let short = &INSTANCE[1..];
    let long = format!("{INSTANCE}0");
    let not_hex = "575ec8687ae143cd83dc4a9g";
    for bad in [short, long.as_str(), not_hex, " 575ec8687ae143cd83dc4a97"] {
        let instance_only = [format!("instanceId: {ID_PATTERN_PROBLEM}")];
        let org_only = [format!("orgId: {ID_PATTERN_PROBLEM}")];
        let err = client.instance_org().get(bad, ORG).await.expect_err(bad);
        assert_eq!(problems(&err, "instanceOrg.get"), instance_only, "{bad}");
        let err = (client
            .instance_org()
            .patch(bad, ORG, Default::default())
            .await)
            .expect_err(bad);
        assert_eq!(problems(&err, "instanceOrg.patch"), instance_only, "{bad}");
        let err = client
            .instance_org()
            .delete(INSTANCE, bad)
            .await
            .expect_err(bad);
        assert_eq!(problems(&err, "instanceOrg.delete"), org_only, "{bad}");
    }
}

#[tokio::test]
async fn organization_post_is_checked_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_body_json(example("org")))
        .expect(3) // only the two valid boundary cases and the unknown value below
        .mount(&server)
        .await;
    let client = client(&server);
    let post = |org: OrganizationPost| client.orgs().post(org);

    let err = post(OrganizationPost::new(String::new()))
        .await
        .expect_err("empty name");
    assert_eq!(
        err.to_string(),
        "orgs.post: invalid request, nothing was sent: 1 problem: `organization.name`: must be at \
         least 1 character long (it has 0)"
    );
    let err = post(OrganizationPost::new("a".repeat(256)))
        .await
        .expect_err("long name");
    assert_eq!(
        problems(&err, "orgs.post"),
        ["organization.name: must be at most 255 characters long (it has 256)"]
    );
    // 255 characters, counted as characters rather than bytes, is fine.
    post(OrganizationPost::new("a".repeat(255)))
        .await
        .expect("255 ASCII characters");
    post(OrganizationPost::new("é".repeat(255)))
        .await
        .expect("255 two-byte characters");

    // A value the spec does not list, constructed on purpose, is sent as is.
    let unknown_mode = OrganizationPost {
        mfa_mode: Some(MfaMode::Unknown("passkeysOnly".to_owned())),
        ..OrganizationPost::new("Fine".to_owned())
    };
    post(unknown_mode).await.expect("sent as is");
    let sent = received(&server).await;
    let body: Value = serde_json::from_slice(&sent.last().expect("sent").body).expect("JSON");
    assert_eq!(body["mfaMode"], json!("passkeysOnly"));

    // Every problem is reported at once, each with its path.
    let all_wrong = OrganizationPost {
        description: Some("d".repeat(32_768)),
        icon_color: Some("c".repeat(65)),
        ..OrganizationPost::new(String::new())
    };
    let err = post(all_wrong).await.expect_err("three problems");
    assert_eq!(
        problems(&err, "orgs.post"),
        [
            "organization.name: must be at least 1 character long (it has 0)",
            "organization.description: must be at most 32767 characters long (it has 32768)",
            "organization.iconColor: must be at most 64 characters long (it has 65)",
        ]
    );
    assert!(err.to_string().starts_with(
        "orgs.post: invalid request, nothing was sent: 3 problems: `organization.name`: must be"
    ));
}

#[tokio::test]
async fn instance_org_patch_is_checked_before_sending() {
    let server = MockServer::start().await;
    expect_no_traffic(&server).await;
    let client = client(&server);

    let err = client
        .instance_org()
        .patch(
            INSTANCE,
            ORG,
            InstanceOwnedOrganizationPatch {
                whitelisted_email_domains: Some(vec!["example.com".to_owned(), "ab".to_owned()]),
                ..Default::default()
            },
        )
        .await
        .expect_err("short domain");
    assert_eq!(
        problems(&err, "instanceOrg.patch"),
        ["organization.whitelistedEmailDomains[1]: must be at least 3 characters long (it has 2)"]
    );

    let limits = InstanceOwnedOrganizationPatchLimits {
        member: Some(-1),
        data_ttl: Some(60),
        system_interval: Some(3601),
        ..Default::default()
    };
    let everything_wrong = InstanceOwnedOrganizationPatch {
        name: Some(String::new()),
        limits: Some(limits),
        whitelisted_email_domains: Some(vec!["x".repeat(46)]),
        tags: Some(vec![Tag::new("bad key".to_owned(), String::new())]),
        mfa_mode: Some(MfaMode::Unknown("x".to_owned())),
        banner: Some(Banner {
            level: Some(Level::from("loud")),
            message: None,
        }),
        ..Default::default()
    };
    let err = client
        .instance_org()
        .patch("nope", ORG, everything_wrong)
        .await
        .expect_err("many problems");
    assert_eq!(
        problems(&err, "instanceOrg.patch"),
        [
            format!("instanceId: {ID_PATTERN_PROBLEM}"),
            "organization.name: must be at least 1 character long (it has 0)".to_owned(),
            "organization.limits.dataTTL: must be at least 86400 (it is 60)".to_owned(),
            "organization.limits.member: must be at least 0 (it is -1)".to_owned(),
            "organization.limits.systemInterval: must be at most 3600 (it is 3601)".to_owned(),
            "organization.whitelistedEmailDomains[0]: must be at most 45 characters long (it has \
             46)"
            .to_owned(),
            "organization.tags[0].key: must match the pattern `^[0-9a-zA-Z_-]{1,255}$`".to_owned(),
            "organization.tags[0].value: must be at least 1 character long (it has 0)".to_owned(),
        ]
    );
}

#[tokio::test]
async fn orgs_get_query_values_are_checked_before_sending() {
    let server = MockServer::start().await;
    expect_no_traffic(&server).await;
    let client = client(&server);

    // Values outside an enum are the caller's choice (sent as is); bounds are checked.
    let err = client
        .orgs()
        .get()
        .sort_field(OrgsGetSortField::from("color"))
        .sort_direction(SortDirection::Unknown("up".to_owned()))
        .page(-1)
        .per_page(0)
        .filter_field(OrgsGetFilterField::from("id"))
        .await
        .expect_err("invalid query");
    assert_eq!(
        problems(&err, "orgs.get"),
        [
            "page: must be at least 0 (it is -1)",
            "perPage: must be at least 1 (it is 0)",
        ]
    );
    let err = client
        .orgs()
        .get()
        .losantdomain("evil.com\r\nX-Injected: 1")
        .await
        .expect_err("header injection");
    assert_eq!(
        problems(&err, "orgs.get"),
        ["losantdomain: header values must be visible ASCII text without line breaks"]
    );
}

// ---------------------------------------------------------------------------------------------
// 6. Scopes
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_token_limited_to_orgs_get_cannot_post_or_touch_instance_orgs() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/orgs"))
        .respond_with(ResponseTemplate::new(200).set_body_json(example("orgs")))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(TOKEN)
        .base_url(server.uri())
        .scopes(["orgs.get"])
        .build()
        .expect("valid configuration");
    assert_eq!(client.scopes(), Some(&["orgs.get".to_owned()][..]));

    client.orgs().get().await.expect("allowed");

    let err = (client
        .orgs()
        .post(OrganizationPost::new("x".to_owned()))
        .await)
        .expect_err("not allowed");
    assert_no_token(&err);
    assert_eq!(
        err.to_string(),
        "orgs.post: the API token has none of the scopes this action accepts, nothing was sent \
         (accepted: all.User, all.User.bounded, only.User, only.User.bounded, orgs.*, orgs.post; \
         the token has: orgs.get)"
    );
    let Error::MissingScope {
        operation,
        accepted,
        token_scopes,
    } = &err
    else {
        panic!("expected Error::MissingScope, got {err:?}")
    };
    assert_eq!(*operation, "orgs.post");
    assert_eq!(*accepted, OrgsPost::OPERATION.scopes);
    assert_eq!(token_scopes, &["orgs.get"]);

    let others = [
        client
            .instance_org()
            .get(INSTANCE, ORG)
            .await
            .expect_err("scope"),
        (client
            .instance_org()
            .patch(INSTANCE, ORG, Default::default())
            .await)
            .expect_err("scope"),
        client
            .instance_org()
            .delete(INSTANCE, ORG)
            .await
            .expect_err("scope"),
    ];
    for err in &others {
        assert!(matches!(err, Error::MissingScope { .. }), "{err:?}");
    }
    assert_eq!(received(&server).await.len(), 1, "only the GET was sent");

    // A wildcard scope the spec lists is accepted as such.
    let wide = Client::builder(TOKEN)
        .base_url(server.uri())
        .scopes(["instanceOrg.*"])
        .build()
        .expect("valid configuration");
    let err = wide.orgs().get().await.expect_err("not an orgs scope");
    assert!(matches!(err, Error::MissingScope { .. }), "{err:?}");
}

#[test]
fn operations_carry_the_spec_s_methods_paths_and_scopes() {
    // The five seed actions, in spec order, among the whole API's.
    let seed = [
        "instanceOrg.get",
        "instanceOrg.patch",
        "instanceOrg.delete",
        "orgs.get",
        "orgs.post",
    ];
    let seed_ops: Vec<_> = losant::OPERATIONS
        .iter()
        .filter(|op| seed.contains(&op.id))
        .collect();
    let ids: Vec<&str> = seed_ops.iter().map(|op| op.id).collect();
    assert_eq!(
        ids,
        [
            "instanceOrg.get",
            "instanceOrg.patch",
            "instanceOrg.delete",
            "orgs.get",
            "orgs.post"
        ]
    );
    let shape: Vec<(&str, &str)> = seed_ops
        .iter()
        .map(|op| (op.method.as_str(), op.path))
        .collect();
    let one = "/instances/{instanceId}/orgs/{orgId}";
    assert_eq!(
        shape,
        [
            ("GET", one),
            ("PATCH", one),
            ("DELETE", one),
            ("GET", "/orgs"),
            ("POST", "/orgs")
        ]
    );

    // As listed in spec/resources/orgs.yaml and spec/resources/instanceOrg.yaml.
    assert_eq!(
        OrgsGet::OPERATION.scopes,
        [
            "all.User",
            "all.User.bounded",
            "all.User.read",
            "only.User",
            "only.User.bounded",
            "only.User.read",
            "orgs.*",
            "orgs.get"
        ]
    );
    assert_eq!(
        OrgsPost::OPERATION.scopes,
        [
            "all.User",
            "all.User.bounded",
            "only.User",
            "only.User.bounded",
            "orgs.*",
            "orgs.post"
        ]
    );
    assert_eq!(
        InstanceOrgGet::OPERATION.scopes,
        [
            "all.Instance",
            "all.Instance.bounded",
            "all.Instance.read",
            "all.User",
            "all.User.bounded",
            "all.User.read",
            "instanceOrg.*",
            "instanceOrg.get"
        ]
    );
    for (operation, action) in [
        (InstanceOrgPatch::OPERATION, "instanceOrg.patch"),
        (InstanceOrgDelete::OPERATION, "instanceOrg.delete"),
    ] {
        assert_eq!(
            operation.scopes,
            [
                "all.Instance",
                "all.Instance.bounded",
                "all.User",
                "all.User.bounded",
                "instanceOrg.*",
                action
            ]
        );
    }
    assert!(OrgsGet::OPERATION.allows(&["orgs.get"]));
    assert!(!OrgsPost::OPERATION.allows(&["orgs.get"]));
}

// ---------------------------------------------------------------------------------------------
// 7. Retries
// ---------------------------------------------------------------------------------------------

/// A client retrying up to 3 times after 5 ms, without jitter.
fn retrying_client(server: &MockServer) -> Client {
    let policy = RetryPolicy::default()
        .max_retries(3)
        .initial_backoff(Duration::from_millis(5))
        .jitter(false);
    Client::builder(TOKEN)
        .base_url(server.uri())
        .retry(policy)
        .build()
        .expect("valid configuration")
}

/// Answers 503 once, then `status` with the `name` example.
async fn unavailable_once(server: &MockServer, status: u16, name: &str) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"type": "Unavailable"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(example(name)))
        .with_priority(2)
        .mount(server)
        .await;
}

#[tokio::test]
async fn orgs_get_is_retried_after_a_503() {
    let server = MockServer::start().await;
    unavailable_once(&server, 200, "orgs").await;

    let page = retrying_client(&server)
        .orgs()
        .get()
        .per_page(1)
        .await
        .expect("second attempt succeeds");
    assert_eq!(page, decoded::<Organizations>("orgs"));
    let sent = received(&server).await;
    assert_eq!(sent.len(), 2);
    for request in &sent {
        assert_sent(
            request,
            &Expected {
                method: "GET",
                path: "/orgs",
                query: &[("perPage", "1")],
                body: None,
                losantdomain: None,
            },
        );
    }
}

#[tokio::test]
async fn orgs_post_is_not_retried_after_a_503() {
    let server = MockServer::start().await;
    unavailable_once(&server, 201, "org").await;

    let err = retrying_client(&server)
        .orgs()
        .post(OrganizationPost::new("Once".to_owned()))
        .await
        .expect_err("POST is not retried");
    assert_no_token(&err);
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert!(
        err.is_retryable(),
        "retryable in itself, but POST is not idempotent"
    );
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn instance_org_patch_is_not_retried_after_a_503() {
    // RFC 9110 does not count PATCH among the idempotent methods: never retried.
    let server = MockServer::start().await;
    unavailable_once(&server, 200, "instanceOrg").await;

    let err = retrying_client(&server)
        .instance_org()
        .patch(INSTANCE, ORG, InstanceOwnedOrganizationPatch::default())
        .await
        .expect_err("PATCH is not retried");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn instance_org_delete_is_retried_after_a_503() {
    // DELETE is idempotent (RFC 9110), so it is retried.
    let server = MockServer::start().await;
    unavailable_once(&server, 200, "success").await;
    let done = retrying_client(&server)
        .instance_org()
        .delete(INSTANCE, ORG)
        .await
        .expect("second attempt succeeds");
    assert_eq!(
        done,
        Success {
            success: Some(true)
        }
    );
    let sent = received(&server).await;
    assert_eq!(sent.len(), 2);
    assert!(
        sent.iter()
            .all(|r| r.method.as_str() == "DELETE" && r.url.path() == ORG_PATH)
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Pagination over the generated stream
// ---------------------------------------------------------------------------------------------

/// An organization named `name` with a made-up id.
fn org_named(name: &str, n: usize) -> Value {
    json!({"id": format!("{n:024x}"), "name": name})
}

/// Page `page` (with `perPage=2`) answers `items` out of `total`, expected exactly once.
async fn orgs_page(server: &MockServer, page: u32, items: Vec<Value>, total: u32) {
    let body = json!({
        "items": items,
        "count": items.len(),
        "totalCount": total,
        "perPage": 2,
        "page": page,
        "sortField": "name",
        "sortDirection": "asc"
    });
    Mock::given(method("GET"))
        .and(wiremock::matchers::path("/orgs"))
        .and(query_param("page", page.to_string()))
        .and(query_param("perPage", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn the_stream_yields_every_org_of_every_page_in_order() {
    let server = MockServer::start().await;
    let names = ["Alpha", "Bravo", "Charlie", "Delta", "Echo"];
    let orgs: Vec<Value> = names
        .iter()
        .enumerate()
        .map(|(n, name)| org_named(name, n))
        .collect();
    orgs_page(&server, 0, orgs[0..2].to_vec(), 5).await;
    orgs_page(&server, 1, orgs[2..4].to_vec(), 5).await;
    orgs_page(&server, 2, orgs[4..5].to_vec(), 5).await;

    let all: Vec<Organization> = client(&server)
        .orgs()
        .get()
        .sort_field(OrgsGetSortField::Name)
        .per_page(2)
        .into_stream()
        .try_collect()
        .await
        .expect("every page");
    let got: Vec<&str> = all.iter().filter_map(|o| o.name.as_deref()).collect();
    assert_eq!(got, names);
    assert_eq!(all[4].id.as_deref(), Some("000000000000000000000004"));

    let sent = received(&server).await;
    let pages: Vec<(String, String, String)> = sent
        .iter()
        .map(|r| {
            let q = |name: &str| {
                (r.url.query_pairs())
                    .find(|(k, _)| k == name)
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            (q("page"), q("perPage"), q("sortField"))
        })
        .collect();
    let page = |n: &str| (n.to_owned(), "2".to_owned(), "name".to_owned());
    assert_eq!(pages, [page("0"), page("1"), page("2")]);
    assert!(sent.iter().all(|r| r.url.query_pairs().count() == 3));
}

#[tokio::test]
async fn the_stream_of_an_empty_list_yields_nothing_after_one_request() {
    let server = MockServer::start().await;
    orgs_page(&server, 0, vec![], 0).await;

    let all: Vec<Organization> = client(&server)
        .orgs()
        .get()
        .per_page(2)
        .into_stream()
        .try_collect()
        .await
        .expect("one empty page");
    assert!(all.is_empty());
    assert_eq!(received(&server).await.len(), 1);
}

#[tokio::test]
async fn the_stream_ends_with_the_error_of_a_failing_page() {
    let server = MockServer::start().await;
    orgs_page(
        &server,
        0,
        vec![org_named("Alpha", 0), org_named("Bravo", 1)],
        5,
    )
    .await;
    Mock::given(query_param("page", "1"))
        .respond_with(ResponseTemplate::new(400).set_body_json(example("error")))
        .expect(1)
        .mount(&server)
        .await;

    let results: Vec<Result<Organization, Error>> =
        futures_util::StreamExt::collect(client(&server).orgs().get().per_page(2).into_stream())
            .await;
    assert_eq!(results.len(), 3);
    assert!(results[..2].iter().all(Result::is_ok));
    let err = results[2].as_ref().expect_err("page 1 fails");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(received(&server).await.len(), 2, "no page after the error");
}
