//! The mock without sockets: matching, validation messages, responses, determinism.

use super::*;
use crate::load::Source;
use serde_json::json;

fn petstore() -> Mock {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/petstore.yaml");
    Mock::load(&Source::Path(path)).expect("the fixture loads")
}

fn from_yaml(yaml: &str) -> Mock {
    Mock::load(&Source::Text { name: "t.yaml".into(), text: yaml.into(), base_dir: None }).unwrap()
}

fn body(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&reply.body).into()))
}

fn problems(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, 400, "{}", body(reply));
    serde_json::from_value(body(reply)["problems"].clone()).unwrap()
}

#[test]
fn operations_are_served_under_the_server_path_and_without_it() {
    let m = petstore();
    assert_eq!(m.base_path(), "/v1");
    let (r, op) = m.handle(&Received::get("/v1/pets"));
    assert_eq!((r.status, op.as_deref()), (200, Some("listPets")));
    let (r, op) = m.handle(&Received::get("/pets/7"));
    assert_eq!((r.status, op.as_deref()), (200, Some("showPetById")));
    let (r, _) = m.handle(&Received::new("DELETE", "/v1/pets/7"));
    assert_eq!((r.status, r.content_type.as_deref(), r.body.len()), (204, None, 0));
}

#[test]
fn no_match_is_a_404_naming_the_closest_operations() {
    let m = petstore();
    let (r, op) = m.handle(&Received::new("PUT", "/v1/pets/7"));
    assert_eq!((r.status, op), (404, None));
    let b = body(&r);
    assert_eq!(b["error"], "no operation matches PUT /v1/pets/7; closest: GET /pets/{petId}");
    assert_eq!(b["closest"], json!(["GET /pets/{petId}", "DELETE /pets/{petId}", "GET /pets"]));
    let (r, _) = m.handle(&Received::get("/v1/pet"));
    assert_eq!(body(&r)["closest"][0], "GET /pets");
    let (r, _) = m.handle(&Received::new("BREW", "/"));
    assert_eq!(r.status, 404);
}

#[test]
fn invalid_parameters_say_what_and_where() {
    let m = petstore();
    let (r, _) = m.handle(&Received::get("/v1/pets?limit=abc"));
    assert_eq!(problems(&r), [r#"query.limit: "abc" is not of type "integer""#]);
    assert_eq!(body(&r)["error"], r#"invalid request for listPets: query.limit: "abc" is not of type "integer""#);
    let (r, _) = m.handle(&Received::get("/v1/pets?limit=0"));
    assert_eq!(problems(&r), ["query.limit: 0 is less than or equal to the minimum of 0"]);
    let (r, _) = m.handle(&Received::get("/v1/pets?limit=101"));
    assert_eq!(problems(&r), ["query.limit: 101 is greater than the maximum of 100"]);
    let (r, _) = m.handle(&Received::get("/v1/pets?limit=5&tags=a%20b,c"));
    assert_eq!(r.status, 200, "{}", body(&r));
}

#[test]
fn styles_are_read_before_validation() {
    let m = from_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /items/{ids}:
    get:
      parameters:
        - {name: ids, in: path, required: true, style: label, explode: false, schema: {type: array, items: {type: integer}}}
        - {name: flags, in: query, style: pipeDelimited, schema: {type: array, items: {type: boolean}}}
        - {name: filter, in: query, style: deepObject, schema: {type: object, properties: {min: {type: integer}}, additionalProperties: false}}
        - {name: ids2, in: query, explode: true, schema: {type: array, items: {type: integer}}}
        - {name: X-Count, in: header, required: true, schema: {type: integer}}
        - {name: session, in: cookie, schema: {type: string, minLength: 3}}
      responses:
        "200": {description: ok}
"##,
    );
    let ok = Received::get("/items/.1,2?flags=true|false&filter[min]=3&ids2=1&ids2=2")
        .header("X-Count", "4")
        .header("Cookie", "session=abcd; other=1");
    let (r, _) = m.handle(&ok);
    assert_eq!(r.status, 200, "{}", body(&r));

    let bad = Received::get("/items/.1,x?flags=yes&filter[max]=3&ids2=1&ids2=b").header("cookie", "session=ab");
    let (r, _) = m.handle(&bad);
    assert_eq!(
        problems(&r),
        [
            r#"path.ids[1]: "x" is not of type "integer""#,
            r#"query.flags[0]: "yes" is not of type "boolean""#,
            r#"query.filter: Additional properties are not allowed ('max' was unexpected)"#,
            r#"query.ids2[1]: "b" is not of type "integer""#,
            "header.X-Count: required header parameter is missing",
            r#"cookie.session: "ab" is shorter than 3 characters"#,
        ]
    );
    let (r, _) = m.handle(&Received::get("/items/1"));
    assert_eq!(problems(&r)[0], r#"path.ids: "1" does not start with `.` (label style)"#);
}

#[test]
fn objects_in_matrix_pipe_and_space_styles_are_read_as_the_spec_writes_them() {
    let m = from_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /colors/{color}:
    get:
      parameters:
        - {name: color, in: path, required: true, style: matrix, explode: true, schema: {$ref: "#/components/schemas/RGB"}}
        - {name: pipe, in: query, style: pipeDelimited, explode: false, schema: {$ref: "#/components/schemas/RGB"}}
        - {name: space, in: query, style: spaceDelimited, explode: false, schema: {$ref: "#/components/schemas/RGB"}}
      responses:
        "200": {description: ok}
components:
  schemas:
    RGB: {type: object, properties: {R: {type: integer}, G: {type: integer}}, additionalProperties: false}
"##,
    );
    let (r, _) = m.handle(&Received::get("/colors/;R=100;G=200?pipe=R|100|G|200&space=R%20100%20G%20200"));
    assert_eq!(r.status, 200, "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/colors/;R=x;G=200?pipe=R|1|B|2"));
    assert_eq!(
        problems(&r),
        [
            r#"path.color.R: "x" is not of type "integer""#,
            r#"query.pipe: Additional properties are not allowed ('B' was unexpected)"#,
        ]
    );
}

#[test]
fn operations_sharing_a_path_are_told_apart_by_their_parameters() {
    let m = from_yaml(
        r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  "/#X-Amz-Target=Svc.Delete":
    post:
      operationId: Delete
      parameters: [{name: X-Amz-Target, in: header, required: true, schema: {type: string, enum: [Svc.Delete]}}]
      responses: {"200": {description: ok}}
  "/#X-Amz-Target=Svc.Describe":
    post:
      operationId: Describe
      parameters: [{name: X-Amz-Target, in: header, required: true, schema: {type: string, enum: [Svc.Describe]}}]
      responses: {"200": {description: ok}}
"##,
    );
    let (r, op) = m.handle(&Received::new("POST", "/").header("X-Amz-Target", "Svc.Describe"));
    assert_eq!((r.status, op.as_deref()), (200, Some("Describe")), "{}", body(&r));
    let (r, op) = m.handle(&Received::new("POST", "/").header("X-Amz-Target", "Svc.Delete"));
    assert_eq!((r.status, op.as_deref()), (200, Some("Delete")));
    // Valid for none: the first one's problems are reported, unless another has fewer.
    let (r, op) = m.handle(&Received::new("POST", "/").header("X-Amz-Target", "Svc.Other"));
    assert_eq!((r.status, op.as_deref()), (400, Some("Delete")));
}

#[test]
fn templates_that_match_alike_are_told_apart_by_their_parameters() {
    let m = from_yaml(
        r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  "/v1/{subscription}":
    get:
      operationId: getSubscription
      parameters: [{name: subscription, in: path, required: true, schema: {type: string, pattern: "^subs-"}}]
      responses: {"200": {description: ok}}
  "/v1/{topic}":
    get:
      operationId: getTopic
      parameters: [{name: topic, in: path, required: true, schema: {type: string, pattern: "^topics-"}}]
      responses: {"200": {description: ok}}
"##,
    );
    let (r, op) = m.handle(&Received::get("/v1/topics-1"));
    assert_eq!((r.status, op.as_deref()), (200, Some("getTopic")), "{}", body(&r));
    let (r, op) = m.handle(&Received::get("/v1/subs-1"));
    assert_eq!((r.status, op.as_deref()), (200, Some("getSubscription")));
}

#[test]
fn a_request_valid_for_no_sibling_gets_the_closest_ones_problems() {
    let m = from_yaml(
        r##"
openapi: 3.0.0
info: {title: t, version: "1"}
paths:
  "/q#Action=A":
    get:
      operationId: A
      parameters:
        - {name: Action, in: query, required: true, schema: {type: string, enum: [A]}}
        - {name: Label, in: query, required: true, schema: {type: string}}
      responses: {"200": {description: ok}}
  "/q#Action=B":
    get:
      operationId: B
      parameters:
        - {name: Action, in: query, required: true, schema: {type: string, enum: [B]}}
        - {name: Count, in: query, required: true, schema: {type: integer}}
      responses: {"200": {description: ok}}
"##,
    );
    let (r, op) = m.handle(&Received::get("/q?Action=B&Count=x"));
    assert_eq!(op.as_deref(), Some("B"));
    assert_eq!(problems(&r), [r#"query.Count: "x" is not of type "integer""#]);
    let (r, op) = m.handle(&Received::get("/q?Action=B&Count=2"));
    assert_eq!((r.status, op.as_deref()), (200, Some("B")));
}

#[test]
fn a_required_read_only_property_is_not_required_in_a_request() {
    let m = from_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /notes:
    post:
      requestBody:
        required: true
        content: {application/json: {schema: {$ref: "#/components/schemas/Note"}}}
      responses: {"200": {description: ok}}
components:
  schemas:
    Note:
      type: object
      required: [id, text]
      properties:
        id: {type: string, readOnly: true}
        text: {type: string}
"##,
    );
    let (r, _) = m.handle(&Received::new("POST", "/notes").json(&json!({"text": "hi"})));
    assert_eq!(r.status, 200, "{}", body(&r));
    let (r, _) = m.handle(&Received::new("POST", "/notes").json(&json!({"id": "1"})));
    assert_eq!(problems(&r), [r#"body: "text" is a required property"#]);
}

#[test]
fn form_bodies_read_a_repeated_key_as_an_array() {
    let m = from_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /plans:
    post:
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              properties:
                Roaming: {type: array, items: {type: string}}
                Codes: {type: array, items: {type: integer}}
                Name: {type: string}
      responses:
        "200": {description: ok}
"##,
    );
    let form = |body: &str| {
        let mut r = Received::new("POST", "/plans").header("content-type", "application/x-www-form-urlencoded");
        r.body = body.as_bytes().to_vec();
        r
    };
    let (r, _) = m.handle(&form("Roaming=data&Roaming=voice&Codes=1&Name=x"));
    assert_eq!(r.status, 200, "{}", body(&r));
    let (r, _) = m.handle(&form("Codes=1&Codes=b"));
    assert_eq!(problems(&r), [r#"body.Codes[1]: "b" is not of type "integer""#]);
}

#[test]
fn bodies_are_checked_against_schema_and_content_type() {
    let m = petstore();
    let (r, _) = m.handle(&Received::new("POST", "/v1/pets").json(&json!({"name": "Rex", "tag": null})));
    assert_eq!(r.status, 201, "{}", body(&r));
    let (r, _) = m.handle(&Received::new("POST", "/v1/pets").json(&json!({"tag": 5})));
    assert_eq!(
        problems(&r),
        [r#"body: "name" is a required property"#, r#"body.tag: 5 is not of types "null", "string""#]
    );
    let (r, _) = m.handle(&Received::new("POST", "/v1/pets"));
    assert_eq!(problems(&r), ["body: a request body is required"]);
    let mut text = Received::new("POST", "/v1/pets").header("content-type", "text/plain");
    text.body = b"Rex".to_vec();
    let (r, _) = m.handle(&text);
    assert_eq!(problems(&r), [r#"header.content-type: "text/plain" is not application/json"#]);
    let mut broken = Received::new("POST", "/v1/pets").header("content-type", "application/json");
    broken.body = b"{\"name\":".to_vec();
    let (r, _) = m.handle(&broken);
    assert!(problems(&r)[0].starts_with("body: not valid JSON: EOF"), "{}", body(&r));
}

#[test]
fn examples_win_over_synthesized_data() {
    let m = from_yaml(
        r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object}
              example: {from: media example}
  /b:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object}
              examples:
                first: {$ref: "#/components/examples/First"}
  /c:
    get:
      responses:
        "2XX":
          description: ok
          content:
            text/plain:
              schema: {type: string, example: hello}
  /d:
    get:
      responses:
        default:
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  examples:
    First: {value: {from: named example}}
  schemas:
    Thing:
      type: object
      required: [id, kind, when, tags]
      properties:
        id: {type: integer, minimum: 10}
        kind: {type: string, enum: [big, small]}
        when: {type: string, format: date}
        tags: {type: array, items: {type: string, format: email}}
        note: {type: string}
"##,
    );
    let get = |p: &str| m.handle(&Received::get(p)).0;
    assert_eq!(body(&get("/a")), json!({"from": "media example"}));
    assert_eq!(body(&get("/b")), json!({"from": "named example"}));
    let c = get("/c");
    assert_eq!((c.status, c.content_type.as_deref(), c.body.as_slice()), (200, Some("text/plain"), &b"hello"[..]));
    let d = get("/d");
    assert_eq!(d.content_type.as_deref(), Some("application/json"));
    assert_eq!(body(&d), json!({"id": 10, "kind": "big", "when": "2024-01-01", "tags": ["user@example.com"]}));
}

#[test]
fn petstore_responses_are_synthesized_deterministically() {
    let m = petstore();
    let list = m.handle(&Received::get("/v1/pets")).0;
    assert_eq!(body(&list), json!([{"name": "Rex", "id": 0}]), "NewPet's example name, Pet's required id");
    assert_eq!(list, petstore().handle(&Received::get("/v1/pets")).0, "same spec, same bytes");
    let created = m.handle(&Received::new("POST", "/v1/pets").json(&json!({"name": "Tom"}))).0;
    assert_eq!((created.status, body(&created)), (201, json!({"name": "Rex", "id": 0})));
}

#[test]
fn secrets_are_redacted_from_the_record() {
    let m = petstore();
    let req = Received::get("/v1/pets?limit=5&tags=a%20b,c")
        .header("x-api-key", "s3cret")
        .header("authorization", "Bearer t0ken")
        .header("x-request-id", "r1");
    let (reply, op) = m.handle(&req);
    let rec = m.record(&req, op.as_deref(), reply.status);
    assert_eq!(rec["headers"], json!({"x-api-key": "<redacted>", "authorization": "<redacted>", "x-request-id": "r1"}));
    assert_eq!(rec["queryParams"], json!({"limit": ["5"], "tags": ["a b,c"]}));
    assert_eq!(rec["query"], "limit=5&tags=a%20b,c");
    assert_eq!((rec["method"].as_str(), rec["path"].as_str()), (Some("GET"), Some("/v1/pets")));
    assert_eq!((rec["operation"].as_str(), rec["status"].as_u64()), (Some("listPets"), Some(200)));
    assert!(!rec.to_string().contains("s3cret") && !rec.to_string().contains("t0ken"));
}

#[test]
fn arbitrary_requests_never_panic() {
    let m = petstore();
    let paths =
        ["", "/", "//", "/v1", "/v1/", "/v1/pets/%FF", "/v1/pets/{petId}", "/%", "/v1/pets?limit=%", "/pets/a/b"];
    let queries = [None, Some(""), Some("&&=&limit"), Some("limit=%ZZ&tags=,,,"), Some("tags[=1")];
    for method in ["GET", "POST", "DELETE", "get", "", "X"] {
        for p in paths {
            for q in queries {
                let mut r = Received::new(method, p);
                r.query = q.map(str::to_string);
                r.headers.push(("cookie".into(), ";;=;x".into()));
                r.headers.push(("content-type".into(), "application/json; charset=\u{7f}".into()));
                r.body = vec![0xff, b'{'];
                let (reply, _) = m.handle(&r);
                assert!(matches!(reply.status, 200..=204 | 400 | 404), "{method} {p} {q:?}: {}", reply.status);
            }
        }
    }
}

fn everything() -> Mock {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/everything.yaml");
    Mock::load(&Source::Path(path)).expect("the fixture loads")
}

#[test]
fn segments_with_several_parameters_are_split_by_their_schemas() {
    let m = everything();
    let (r, op) = m.handle(&Received::get("/api/files/read.me.json"));
    assert_eq!((r.status, op.as_deref()), (204, Some("fileByExtension")), "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/api/files/readme.md"));
    assert!(problems(&r)[0].starts_with("path.ext: "), "{}", body(&r));
    let (r, op) = m.handle(&Received::get("/api/route/52.3%2C4.8/90.5.json"));
    assert_eq!((r.status, op.as_deref()), (204, Some("routeFilter")), "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/api/route/52.3%2C4.8/north.json"));
    assert!(problems(&r)[0].starts_with("path.heading: "), "{}", body(&r));
}

#[test]
fn path_keys_with_a_query_are_routed_by_it() {
    let m = everything();
    let (r, op) = m.handle(&Received::get("/api/lists/7/export?filename=a.csv"));
    assert_eq!((r.status, op.as_deref()), (204, Some("exportList")), "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/api/lists/7/export?filename=a.txt"));
    assert!(problems(&r)[0].starts_with("query.filename: "), "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/api/lists/7/export"));
    assert_eq!(problems(&r), ["query.filename: required query parameter is missing"]);
    // What the runtime used to send: the query percent-encoded into the path.
    let (r, _) = m.handle(&Received::get("/api/lists/7/export%3Ffilename=a.csv"));
    assert_eq!(r.status, 404, "{}", body(&r));

    let (_, op) = m.handle(&Received::get("/api/buckets/b?acl"));
    assert_eq!(op.as_deref(), Some("GET /buckets/{bucket}?acl"));
    let (_, op) = m.handle(&Received::get("/api/buckets/b"));
    assert_eq!(op.as_deref(), Some("getBucket"));
    let (r, op) = m.handle(&Received::get("/api/rest?page=2&format=json&method=things.list"));
    assert_eq!((r.status, op.as_deref()), (204, Some("restThings")), "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/api/rest?method=things.delete&format=json"));
    assert_eq!(r.status, 404, "the fixed value must match: {}", body(&r));

    let (r, op) = m.handle(&Received::new("POST", "/api/uploads?convert=csv"));
    assert_eq!((r.status, op.as_deref()), (204, Some("POST /uploads?convert={convert}")), "{}", body(&r));
}

#[test]
fn json_content_query_parameters_hold_arrays_of_objects() {
    let m = everything();
    let (r, _) = m.handle(&Received::get("/api/sorted?order=%5B%7B%22R%22%3A1%7D%5D&page=1"));
    assert_eq!(r.status, 204, "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/api/sorted?order=%5B%7B%22R%22%3A%22x%22%7D%5D"));
    assert!(problems(&r)[0].starts_with("query.order[0].R: "), "{}", body(&r));
}

/// The shapes of descriptions converted from AWS's models: a fragment marking the query that
/// tells operations apart, and free-form maps as exploded form objects.
const AWS_LIKE: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /{Bucket}:
    get:
      operationId: ListObjects
      parameters: [{name: Bucket, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: ok}}
  /{Bucket}#acl:
    get:
      operationId: GetBucketAcl
      parameters:
        - {name: Bucket, in: path, required: true, schema: {type: string}}
        - {name: acl, in: query, required: true, schema: {type: boolean, enum: [true]}}
      responses: {"204": {description: ok}}
  /{Bucket}/{Key}:
    put:
      operationId: PutObject
      parameters:
        - {name: Bucket, in: path, required: true, schema: {type: string}}
        - {name: Key, in: path, required: true, schema: {type: string}}
      responses: {"204": {description: ok}}
  /{Bucket}/{Key}#partNumber&uploadId:
    put:
      operationId: UploadPart
      parameters:
        - {name: Bucket, in: path, required: true, schema: {type: string}}
        - {name: Key, in: path, required: true, schema: {type: string}}
        - {name: partNumber, in: query, required: true, schema: {type: integer}}
        - {name: uploadId, in: query, required: true, schema: {type: string}}
      responses: {"204": {description: ok}}
  /q/#Action=SetQueueAttributes:
    get:
      operationId: SetQueueAttributes
      parameters:
        - {name: Attribute, in: query, required: true, schema: {type: object, additionalProperties: {type: integer}}}
        - {name: Action, in: query, required: true, schema: {type: string, enum: [SetQueueAttributes]}}
        - {name: Version, in: query, required: true, schema: {type: string, enum: ["2012-11-05"]}}
      responses: {"204": {description: ok}}
  /q/#Action=DeleteQueue:
    get:
      operationId: DeleteQueue
      parameters:
        - {name: Action, in: query, required: true, schema: {type: string, enum: [DeleteQueue]}}
        - {name: Version, in: query, required: true, schema: {type: string, enum: ["2012-11-05"]}}
      responses: {"204": {description: ok}}
"##;

#[test]
fn fragment_markers_route_and_free_form_objects_take_unclaimed_names() {
    let m = from_yaml(AWS_LIKE);
    let fixed: Vec<_> = m.operations().iter().map(|o| (o.url_path.as_str(), o.fixed_query.clone())).collect();
    assert_eq!(
        fixed,
        [
            ("/q/", vec![("Action".to_string(), Some("DeleteQueue".to_string()))]),
            ("/q/", vec![("Action".to_string(), Some("SetQueueAttributes".to_string()))]),
            ("/{Bucket}", vec![]),
            ("/{Bucket}", vec![("acl".to_string(), None)]),
            ("/{Bucket}/{Key}", vec![]),
            ("/{Bucket}/{Key}", vec![]),
        ]
    );
    // The marker parameter is no longer an argument; `Version` (not in the fragment) stays.
    let names: Vec<&str> = m.operations()[1].parameters.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["Attribute", "Version"]);

    let (_, op) = m.handle(&Received::get("/b?acl"));
    assert_eq!(op.as_deref(), Some("GetBucketAcl"));
    let (_, op) = m.handle(&Received::get("/b"));
    assert_eq!(op.as_deref(), Some("ListObjects"));

    let (r, op) = m.handle(&Received::get("/q/?Action=SetQueueAttributes&Version=2012-11-05&DelaySeconds=5"));
    assert_eq!((r.status, op.as_deref()), (204, Some("SetQueueAttributes")), "{}", body(&r));
    let (r, _) = m.handle(&Received::get("/q/?Action=SetQueueAttributes&Version=2012-11-05&DelaySeconds=soon"));
    assert_eq!(problems(&r), [r#"query.Attribute.DelaySeconds: "soon" is not of type "integer""#]);
    // An empty map sends no pair at all: nothing is `{}`, not a missing parameter.
    let (r, op) = m.handle(&Received::get("/q/?Action=SetQueueAttributes&Version=2012-11-05"));
    assert_eq!((r.status, op.as_deref()), (204, Some("SetQueueAttributes")), "{}", body(&r));
    let (r, op) = m.handle(&Received::get("/q/?Action=DeleteQueue&Version=2012-11-05"));
    assert_eq!((r.status, op.as_deref()), (204, Some("DeleteQueue")), "{}", body(&r));

    // Valid for both; the one that declares what the request carries wins.
    let (r, op) = m.handle(&Received::new("PUT", "/b/k?partNumber=1&uploadId=u"));
    assert_eq!((r.status, op.as_deref()), (204, Some("UploadPart")), "{}", body(&r));
    let (r, op) = m.handle(&Received::new("PUT", "/b/k"));
    assert_eq!((r.status, op.as_deref()), (204, Some("PutObject")), "{}", body(&r));
    let (r, op) = m.handle(&Received::new("PUT", "/b/k?partNumber=x&uploadId=u"));
    assert_eq!((r.status, op.as_deref()), (204, Some("PutObject")), "invalid for UploadPart: {}", body(&r));
}

#[test]
fn a_list_answers_as_many_items_as_its_page_size_asks_for() {
    let m = petstore();
    let (r, _) = m.handle(&Received::get("/v1/pets"));
    let one = body(&r);
    assert_eq!(one.as_array().map(Vec::len), Some(1), "{one}");
    let (r, _) = m.handle(&Received::get("/v1/pets?limit=37"));
    let many = body(&r);
    assert_eq!(many.as_array().map(Vec::len), Some(37));
    assert!(many.as_array().unwrap().iter().all(|item| *item == one[0]));
    assert_eq!(respond::page_size(&[("per_page".into(), "5000".into())]), Some(respond::MAX_PAGE_SIZE));
    assert_eq!(respond::page_size(&[("$top".into(), "3".into())]), Some(3));
    assert_eq!(respond::page_size(&[("page".into(), "3".into())]), None);
    // Not a list: left as it is.
    let (r, _) = m.handle(&Received::get("/v1/pets/7?limit=3"));
    assert!(body(&r).is_object());
}
