//! Every fact of the seed pages (Losant's Orgs and Instance Org documentation) holds in the
//! spec and in the generated crate. Where the seed pages and API 1.30.0 differ, 1.30.0 stands
//! (noted in the spec files); those facts are checked in their 1.30.0 form.

use losant::Operation;
use losant::runtime::Method;
use losant_tests::root;
use restgen::spec::{Param, Spec};
use serde_json::json;

fn spec() -> Spec {
    restgen::load::load_dir(&root().join("spec")).unwrap_or_else(|problems| panic!("{problems}"))
}

fn action<'a>(spec: &'a Spec, resource: &str, action: &str) -> &'a restgen::spec::Action {
    let r = spec
        .resources
        .iter()
        .find(|r| r.name == resource)
        .expect("resource in spec");
    r.body.actions.get(action).expect("action in spec")
}

fn query<'a>(a: &'a restgen::spec::Action, name: &str) -> &'a Param {
    a.query
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("query parameter {name}"))
}

fn operation(id: &str) -> &'static Operation {
    losant::OPERATIONS
        .iter()
        .find(|o| o.id == id)
        .copied()
        .unwrap_or_else(|| panic!("operation {id}"))
}

/// The scopes a seed page lists are all accepted (1.30.0 accepts more).
fn assert_accepts(id: &str, seed_scopes: &[&str]) {
    let op = operation(id);
    for scope in seed_scopes {
        assert!(
            op.scopes.contains(scope),
            "{id} should accept {scope}: {:?}",
            op.scopes
        );
    }
}

#[test]
fn the_five_seed_actions_have_their_method_path_and_scopes() {
    let seed = [
        "instanceOrg.get",
        "instanceOrg.patch",
        "instanceOrg.delete",
        "orgs.get",
        "orgs.post",
    ];
    let ops: Vec<(&str, Method, &str)> = losant::OPERATIONS
        .iter()
        .filter(|o| seed.contains(&o.id))
        .map(|o| (o.id, o.method, o.path))
        .collect();
    assert_eq!(
        ops,
        [
            (
                "instanceOrg.get",
                Method::Get,
                "/instances/{instanceId}/orgs/{orgId}"
            ),
            (
                "instanceOrg.patch",
                Method::Patch,
                "/instances/{instanceId}/orgs/{orgId}"
            ),
            (
                "instanceOrg.delete",
                Method::Delete,
                "/instances/{instanceId}/orgs/{orgId}"
            ),
            ("orgs.get", Method::Get, "/orgs"),
            ("orgs.post", Method::Post, "/orgs"),
        ]
    );
    assert_accepts(
        "orgs.get",
        &["all.User", "all.User.read", "orgs.*", "orgs.get"],
    );
    assert_accepts("orgs.post", &["all.User", "orgs.*", "orgs.post"]);
    assert_accepts(
        "instanceOrg.delete",
        &[
            "all.Instance",
            "all.User",
            "instanceOrg.*",
            "instanceOrg.delete",
        ],
    );
    assert_accepts(
        "instanceOrg.get",
        &[
            "all.Instance",
            "all.Instance.read",
            "all.User",
            "all.User.read",
            "instanceOrg.*",
            "instanceOrg.get",
        ],
    );
    assert_accepts(
        "instanceOrg.patch",
        &[
            "all.Instance",
            "all.User",
            "instanceOrg.*",
            "instanceOrg.patch",
        ],
    );
    // The full 1.30.0 lists, as the per-resource docs give them.
    assert_eq!(
        operation("orgs.get").scopes,
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
}

#[test]
fn orgs_get_query_parameters_match_the_seed() {
    let spec = spec();
    let get = action(&spec, "orgs", "get");
    let names: Vec<&str> = get.query.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "sortField",
            "sortDirection",
            "page",
            "perPage",
            "filterField",
            "filter",
            "summaryExclude",
            "summaryInclude"
        ]
    );
    let sort_field = query(get, "sortField");
    assert_eq!(
        sort_field.enum_values,
        Some(vec![
            json!("name"),
            json!("id"),
            json!("creationDate"),
            json!("lastUpdated")
        ])
    );
    assert_eq!(
        (sort_field.default.clone(), sort_field.example.clone()),
        (Some(json!("name")), Some(json!("name")))
    );
    let direction = query(get, "sortDirection");
    assert_eq!(
        direction.enum_values,
        Some(vec![json!("asc"), json!("desc")])
    );
    assert_eq!(direction.default, Some(json!("asc")));
    // Numbers on the wire are integers in the spec.
    let page = query(get, "page");
    assert_eq!(
        (page.default.clone(), page.example.clone()),
        (Some(json!(0)), Some(json!(0)))
    );
    let per_page = query(get, "perPage");
    // One seed page says 1000, another and 1.30.0 say 100: 1.30.0 stands.
    assert_eq!(
        (per_page.default.clone(), per_page.example.clone()),
        (Some(json!(100)), Some(json!(10)))
    );
    assert_eq!(
        query(get, "filterField").enum_values,
        Some(vec![json!("name")])
    );
    assert_eq!(query(get, "filter").example, Some(json!("my*org")));
    assert_eq!(
        query(get, "summaryExclude").example,
        Some(json!("payloadCount"))
    );
    assert_eq!(
        query(get, "summaryInclude").example,
        Some(json!("payloadCount"))
    );
    assert!(
        get.query.iter().all(|p| !p.required),
        "all orgs.get parameters are optional"
    );
    assert_eq!(get.responses[&200].schema.as_deref(), Some("orgs"));
    assert_eq!(
        get.responses[&200].description,
        "Collection of organizations"
    );
    assert_eq!(get.errors[&400].description, "Error if malformed request");
}

#[test]
fn orgs_post_and_instance_org_actions_match_the_seed() {
    let spec = spec();
    let post = action(&spec, "orgs", "post");
    let body = post.body.as_ref().expect("orgs.post body");
    assert_eq!(
        (body.name.as_str(), body.schema.as_str(), body.required),
        ("organization", "orgPost", true)
    );
    assert_eq!(
        post.responses[&201].description,
        "Successfully created organization"
    );
    let names: Vec<&str> = post.query.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["summaryExclude", "summaryInclude"]);

    let resource = spec
        .resources
        .iter()
        .find(|r| r.name == "instanceOrg")
        .expect("instanceOrg");
    assert_eq!(resource.body.path, "/instances/{instanceId}/orgs/{orgId}");
    let params: Vec<(&str, Option<&str>, Option<&str>)> = resource
        .body
        .path_params
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.description.as_deref(),
                p.example.as_ref().and_then(|e| e.as_str()),
            )
        })
        .collect();
    assert_eq!(
        params,
        [
            (
                "instanceId",
                Some("ID associated with the instance"),
                Some("575ec8687ae143cd83dc4a97")
            ),
            (
                "orgId",
                Some("ID associated with the organization"),
                Some("575ed6e87ae143cd83dc4aa8")
            ),
        ]
    );
    let delete = action(&spec, "instanceOrg", "delete");
    assert_eq!(delete.responses[&200].schema.as_deref(), Some("success"));
    assert_eq!(
        delete.responses[&200].description,
        "If organization was successfully deleted"
    );
    assert_eq!(
        delete.errors.keys().copied().collect::<Vec<_>>(),
        [400, 404]
    );
    let get = action(&spec, "instanceOrg", "get");
    assert_eq!(get.responses[&200].description, "A single organization");
    assert_eq!(
        query(get, "summaryInclude").example,
        Some(json!("payloadCount"))
    );
    let patch = action(&spec, "instanceOrg", "patch");
    assert_eq!(
        patch.body.as_ref().map(|b| b.schema.as_str()),
        Some("instanceOrgPatch")
    );
    assert_eq!(
        patch.responses[&200].description,
        "Updated organization information"
    );
}

#[test]
fn seed_examples_are_valid_typed_values() {
    // The request bodies the seed pages show.
    let post: losant::models::OrganizationPost = serde_json::from_value(
        json!({"name": "My New Organization", "description": "Description of my new organization"}),
    )
    .expect("orgs.post example");
    assert_eq!(post.name, "My New Organization");
    let patch: losant::models::InstanceOwnedOrganizationPatch = serde_json::from_value(
        json!({"name": "My Org", "limits": {"member": 500}, "auditLogEnabled": true}),
    )
    .expect("instanceOrg.patch example");
    assert_eq!(patch.limits.and_then(|l| l.member), Some(500));
    // The error example.
    let error: losant::models::Error =
        serde_json::from_value(json!({"type": "NotFound", "message": "Application was not found"}))
            .expect("error");
    assert_eq!(error.type_.as_deref(), Some("NotFound"));
}

#[test]
fn the_global_parameters_and_api_settings_are_in_the_spec() {
    let spec = spec();
    assert_eq!(spec.api.base_url, "https://api.losant.com");
    assert_eq!(spec.api.version, "1.30.0");
    assert_eq!(spec.api.auth.scheme, "bearer");
    assert!(
        spec.api
            .headers
            .iter()
            .any(|h| h.name == "Accept-Version" && h.value == "^1.30.0")
    );
    let globals: Vec<(&str, Option<&str>)> = spec
        .api
        .global_params
        .iter()
        .map(|p| (p.name.as_str(), p.location.as_deref()))
        .collect();
    assert_eq!(
        globals,
        [
            ("_actions", Some("query")),
            ("_links", Some("query")),
            ("_embedded", Some("query")),
            ("losantdomain", Some("header"))
        ]
    );
    let seed_ids = [
        "error",
        "instanceOrg",
        "instanceOrgPatch",
        "org",
        "orgPost",
        "orgs",
        "success",
    ];
    let seed_schemas: Vec<_> = spec
        .schemas
        .iter()
        .filter(|s| seed_ids.contains(&s.id.as_str()))
        .collect();
    let titles: Vec<(&str, Option<&str>)> = seed_schemas
        .iter()
        .map(|s| (s.id.as_str(), s.schema.title.as_deref()))
        .collect();
    assert_eq!(
        titles,
        [
            ("error", Some("Error")),
            ("instanceOrg", Some("Instance Organization")),
            (
                "instanceOrgPatch",
                Some("Instance Owned Organization Patch")
            ),
            ("org", Some("Organization")),
            ("orgPost", Some("Organization Post")),
            ("orgs", Some("Organizations")),
            ("success", Some("Success")),
        ]
    );
    assert!(
        seed_schemas
            .iter()
            .all(|s| s.schema.description.is_some() && s.schema.examples.is_some())
    );
}
