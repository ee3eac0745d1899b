//! Request building: every style, encoding, and the rules that keep values in their place.

use super::body::encode_body;
use super::request::build_request;
use super::spec::*;
use serde_json::{Value, json};
use url::Url;

fn tool(path: &'static str, params: &'static [ParamSpec], body: Option<BodySpec>) -> ToolSpec {
    ToolSpec { path, params, body, ..ToolSpec::TEST }
}

fn base() -> Url {
    Url::parse("https://api.example.com/v1/").unwrap()
}

fn url_of(spec: &ToolSpec, args: Value) -> Result<String, String> {
    build_request(&base(), spec, args.as_object().unwrap()).map(|r| r.url.to_string())
}

#[test]
fn path_values_are_encoded_and_cannot_escape() {
    static P: [ParamSpec; 1] = [ParamSpec {
        arg: "id",
        name: "id",
        location: Location::Path,
        style: Style::Simple,
        explode: false,
        allow_reserved: false,
        json: false,
    }];
    let t = tool("/pets/{id}", &P, None);
    assert_eq!(url_of(&t, json!({"id": "a b/c?d#e"})).unwrap(), "https://api.example.com/v1/pets/a%20b%2Fc%3Fd%23e");
    assert_eq!(url_of(&t, json!({"id": "../admin"})).unwrap(), "https://api.example.com/v1/pets/..%2Fadmin");
    assert_eq!(url_of(&t, json!({"id": 42})).unwrap(), "https://api.example.com/v1/pets/42");
    for bad in ["..", ".", "%2e%2e"] {
        let r = url_of(&t, json!({"id": bad}));
        // `%2e%2e` is encoded to `%252e%252e`, a harmless literal; only real dot segments are refused.
        if bad == "%2e%2e" {
            assert_eq!(r.unwrap(), "https://api.example.com/v1/pets/%252e%252e");
        } else {
            assert!(r.unwrap_err().contains("would change the URL path"), "{bad}");
        }
    }
    assert!(url_of(&t, json!({"id": "@evil.com"})).unwrap().starts_with("https://api.example.com/v1/pets/%40evil.com"));
    assert!(
        url_of(&t, json!({"id": "\\\\evil.com"}))
            .unwrap()
            .starts_with("https://api.example.com/v1/pets/%5C%5Cevil.com")
    );
    assert!(url_of(&t, json!({})).unwrap_err().contains("missing required argument `id`"));
    assert!(url_of(&t, json!({"id": ""})).unwrap_err().contains("empty"));
}

#[test]
fn path_styles() {
    static L: [ParamSpec; 2] = [
        ParamSpec {
            arg: "a",
            name: "a",
            location: Location::Path,
            style: Style::Label,
            explode: false,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "m",
            name: "m",
            location: Location::Path,
            style: Style::Matrix,
            explode: true,
            allow_reserved: false,
            json: false,
        },
    ];
    let t = tool("/x/{a}/y/{m}", &L, None);
    assert_eq!(url_of(&t, json!({"a": [3, 4], "m": [5, 6]})).unwrap(), "https://api.example.com/v1/x/.3,4/y/;m=5;m=6");
    assert_eq!(url_of(&t, json!({"a": "v", "m": {"r": 1}})).unwrap(), "https://api.example.com/v1/x/.v/y/;r=1");
    static S: [ParamSpec; 1] = [ParamSpec {
        arg: "o",
        name: "o",
        location: Location::Path,
        style: Style::Simple,
        explode: true,
        allow_reserved: false,
        json: false,
    }];
    let t = tool("/o/{o}", &S, None);
    assert_eq!(
        url_of(&t, json!({"o": {"role": "admin", "n": "A"}})).unwrap(),
        "https://api.example.com/v1/o/n=A,role=admin"
    );
}

#[test]
fn query_styles() {
    static Q: [ParamSpec; 6] = [
        ParamSpec {
            arg: "f",
            name: "f",
            location: Location::Query,
            style: Style::Form,
            explode: true,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "c",
            name: "c",
            location: Location::Query,
            style: Style::Form,
            explode: false,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "s",
            name: "s",
            location: Location::Query,
            style: Style::SpaceDelimited,
            explode: false,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "p",
            name: "p",
            location: Location::Query,
            style: Style::PipeDelimited,
            explode: false,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "d",
            name: "d",
            location: Location::Query,
            style: Style::DeepObject,
            explode: true,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "j",
            name: "j",
            location: Location::Query,
            style: Style::Form,
            explode: true,
            allow_reserved: false,
            json: true,
        },
    ];
    let t = tool("/q", &Q, None);
    let u = url_of(
        &t,
        json!({"f": [1, 2], "c": ["a", "b&c=d"], "s": [1, 2], "p": [1, 2], "d": {"color": {"R": 100}, "n": "x y"}, "j": {"k": 1}}),
    )
    .unwrap();
    assert_eq!(
        u,
        "https://api.example.com/v1/q?f=1&f=2&c=a,b%26c%3Dd&s=1%202&p=1|2&d[color][R]=100&d[n]=x%20y&j=%7B%22k%22%3A1%7D"
    );
    let u = url_of(&t, json!({"f": {"role": "admin"}, "c": {"role": "admin", "x": "y"}})).unwrap();
    assert_eq!(u, "https://api.example.com/v1/q?role=admin&c=role,admin,x,y");
    assert_eq!(url_of(&t, json!({"f": null})).unwrap(), "https://api.example.com/v1/q");
}

#[test]
fn allow_reserved_keeps_reserved_but_not_separators() {
    static Q: [ParamSpec; 1] = [ParamSpec {
        arg: "r",
        name: "r",
        location: Location::Query,
        style: Style::Form,
        explode: true,
        allow_reserved: true,
        json: false,
    }];
    let t = tool("/q", &Q, None);
    assert_eq!(url_of(&t, json!({"r": "a/b:c&d=e#f"})).unwrap(), "https://api.example.com/v1/q?r=a/b:c%26d%3De%23f");
}

#[test]
fn headers_and_cookies() {
    static H: [ParamSpec; 3] = [
        ParamSpec {
            arg: "x",
            name: "X-Thing",
            location: Location::Header,
            style: Style::Simple,
            explode: false,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "k",
            name: "session",
            location: Location::Cookie,
            style: Style::Form,
            explode: true,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "l",
            name: "list",
            location: Location::Cookie,
            style: Style::Form,
            explode: false,
            allow_reserved: false,
            json: false,
        },
    ];
    let t = tool("/h", &H, None);
    let r = build_request(&base(), &t, json!({"x": [1, 2], "k": "a; b=c", "l": [1, 2]}).as_object().unwrap()).unwrap();
    assert_eq!(r.headers, vec![("X-Thing".to_string(), "1,2".to_string())]);
    assert_eq!(r.cookies, vec!["session=a%3B%20b%3Dc".to_string(), "list=1,2".to_string()]);
    for bad in ["a\r\nX-Evil: 1", "a\nb", "a\rb", "nul\0"] {
        let err = build_request(&base(), &t, json!({"x": bad}).as_object().unwrap()).unwrap_err();
        assert!(err.contains("control character"), "{err}");
    }
}

#[test]
fn bodies() {
    static F: [FieldSpec; 3] = [
        FieldSpec { arg: "name", name: "name", binary: false },
        FieldSpec { arg: "tags", name: "tags", binary: false },
        FieldSpec { arg: "file", name: "file", binary: true },
    ];
    let json_body =
        BodySpec { media_type: "application/json", kind: BodyKind::Json, whole: None, fields: &F, required: true };
    let b = encode_body(&json_body, json!({"name": "Rex", "tags": ["a"]}).as_object().unwrap()).unwrap().unwrap();
    assert_eq!(b.content_type, "application/json");
    assert_eq!(serde_json::from_slice::<Value>(&b.bytes).unwrap(), json!({"name": "Rex", "tags": ["a"]}));

    let form = BodySpec { media_type: "application/x-www-form-urlencoded", kind: BodyKind::Form, ..json_body };
    let b = encode_body(&form, json!({"name": "R&x y", "tags": ["a", "b"]}).as_object().unwrap()).unwrap().unwrap();
    assert_eq!(String::from_utf8(b.bytes).unwrap(), "name=R%26x%20y&tags=a&tags=b");

    let multi = BodySpec { media_type: "multipart/form-data", kind: BodyKind::Multipart, ..json_body };
    let b = encode_body(&multi, json!({"name": "Rex", "file": "aGVsbG8="}).as_object().unwrap()).unwrap().unwrap();
    let text = String::from_utf8(b.bytes).unwrap();
    let boundary = b.content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
    assert!(text.contains(&format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nhello\r\n")), "{text}");
    assert!(text.contains("name=\"name\"\r\n\r\nRex\r\n"), "{text}");
    assert!(text.ends_with(&format!("--{boundary}--\r\n")));

    let raw = BodySpec {
        media_type: "application/octet-stream",
        kind: BodyKind::Binary,
        whole: Some("body"),
        fields: &[],
        required: false,
    };
    let b = encode_body(&raw, json!({"body": "AAEC"}).as_object().unwrap()).unwrap().unwrap();
    assert_eq!(b.bytes, vec![0, 1, 2]);
    assert!(encode_body(&raw, json!({}).as_object().unwrap()).unwrap().is_none());
    let text =
        BodySpec { media_type: "text/plain", kind: BodyKind::Text, whole: Some("body"), fields: &[], required: true };
    assert_eq!(encode_body(&text, json!({"body": "hi"}).as_object().unwrap()).unwrap().unwrap().bytes, b"hi");
    assert!(
        encode_body(&text, json!({}).as_object().unwrap()).unwrap_err().contains("missing required argument `body`")
    );
}

#[test]
fn base_query_is_kept_and_path_joins_cleanly() {
    static Q: [ParamSpec; 1] = [ParamSpec {
        arg: "a",
        name: "a",
        location: Location::Query,
        style: Style::Form,
        explode: true,
        allow_reserved: false,
        json: false,
    }];
    let t = tool("/q", &Q, None);
    let base = Url::parse("http://127.0.0.1:9/api?v=2").unwrap();
    let r = build_request(&base, &t, json!({"a": 1}).as_object().unwrap()).unwrap();
    assert_eq!(r.url.as_str(), "http://127.0.0.1:9/api/q?v=2&a=1");
    assert_eq!(r.display_url(), "http://127.0.0.1:9/api/q");
}

#[test]
fn server_args_override_base_url_and_timeout() {
    static API: ApiSpec = ApiSpec {
        name: "t",
        version: "1",
        title: None,
        instructions: None,
        base_url: Some("https://spec.example.com"),
        base_url_env: "T_BASE",
        timeout_env: "T_TIMEOUT",
        schemes: &[],
        tool_mode: ToolMode::All,
        tool_budget: None,
    };
    let args: Vec<String> =
        ["--db", "x", "--base-url", "http://127.0.0.1:9/v2", "--timeout=2.5"].map(String::from).to_vec();
    let up = super::Upstream::builder(&API).env(|_| None).server_args(&args).unwrap().build().unwrap();
    assert_eq!(up.base_url().unwrap().as_str(), "http://127.0.0.1:9/v2");
    let bad: Vec<String> = ["--timeout", "soon"].map(String::from).to_vec();
    assert!(super::Upstream::builder(&API).server_args(&bad).err().unwrap().0.contains("--timeout must be"));
    // More seconds than a `Duration` holds is refused like any other bad value, never a panic.
    let huge: Vec<String> = ["--long-running-timeout", "1e30"].map(String::from).to_vec();
    let e = super::Upstream::builder(&API).server_args(&huge).err().unwrap().0;
    assert_eq!(e, "--long-running-timeout must be a positive number of seconds, not `1e30`");
    let from_env = super::Upstream::builder(&API).env(|k| (k == "T_TIMEOUT").then(|| "1e30".into())).build();
    assert_eq!(from_env.err().unwrap().0, "T_TIMEOUT must be a positive number of seconds, not `1e30`");
    let missing: Vec<String> = vec!["--base-url".into()];
    assert!(super::Upstream::builder(&API).server_args(&missing).is_err());
}

const fn path_param(name: &'static str) -> ParamSpec {
    ParamSpec {
        arg: name,
        name,
        location: Location::Path,
        style: Style::Simple,
        explode: false,
        allow_reserved: false,
        json: false,
    }
}

#[test]
fn a_fixed_query_goes_before_the_parameters_encoded() {
    static P: [ParamSpec; 2] = [
        path_param("list_id"),
        ParamSpec {
            arg: "filename",
            name: "filename",
            location: Location::Query,
            style: Style::Form,
            explode: true,
            allow_reserved: false,
            json: false,
        },
    ];
    let t =
        ToolSpec { query: &[("acl", None), ("method", Some("a.b c&d"))], ..tool("/lists/{list_id}/export", &P, None) };
    assert_eq!(
        url_of(&t, json!({"list_id": "7", "filename": "x?y"})).unwrap(),
        "https://api.example.com/v1/lists/7/export?acl&method=a.b%20c%26d&filename=x%3Fy"
    );
    assert_eq!(
        url_of(&t, json!({"list_id": "7"})).unwrap(),
        "https://api.example.com/v1/lists/7/export?acl&method=a.b%20c%26d"
    );
}

#[test]
fn several_parameters_share_a_segment() {
    static P: [ParamSpec; 2] = [path_param("pageName"), path_param("ext")];
    let t = tool("/blog/{pageName}{ext}", &P, None);
    assert_eq!(
        url_of(&t, json!({"pageName": "a b", "ext": ".json"})).unwrap(),
        "https://api.example.com/v1/blog/a%20b.json"
    );
    assert_eq!(
        url_of(&t, json!({"pageName": "x/y", "ext": ".json"})).unwrap(),
        "https://api.example.com/v1/blog/x%2Fy.json"
    );
    // Together they may not make a dot segment either.
    let e = url_of(&t, json!({"pageName": ".", "ext": "."})).unwrap_err();
    assert!(e.contains("would change the URL path"), "{e}");
    static Q: [ParamSpec; 2] = [path_param("heading"), path_param("ext")];
    let t = tool("/routedFilter/{heading}.{ext}", &Q, None);
    assert_eq!(
        url_of(&t, json!({"heading": 1.5, "ext": "json"})).unwrap(),
        "https://api.example.com/v1/routedFilter/1.5.json"
    );
    let e = url_of(&t, json!({"heading": ".", "ext": ""})).unwrap_err();
    assert!(e.contains("`ext` is empty"), "{e}");
}

#[test]
fn several_query_pairs_join_as_one_query_after_the_base_query() {
    static Q: [ParamSpec; 2] = [
        ParamSpec {
            arg: "a",
            name: "a",
            location: Location::Query,
            style: Style::Form,
            explode: true,
            allow_reserved: false,
            json: false,
        },
        ParamSpec {
            arg: "b",
            name: "b",
            location: Location::Query,
            style: Style::Form,
            explode: true,
            allow_reserved: false,
            json: false,
        },
    ];
    let t = tool("/q", &Q, None);
    let args = json!({"a": ["x y", "&"], "b": "#?"});
    let expected = "/api/q?v=2&a=x%20y&a=%26&b=%23%3F";
    let base = Url::parse("http://127.0.0.1:9/api?v=2").unwrap();
    assert_eq!(
        build_request(&base, &t, args.as_object().unwrap()).unwrap().url.as_str(),
        format!("http://127.0.0.1:9{expected}")
    );
    // The pairs pushed one at a time give the same URL as the one `set_query` build_request does.
    let mut one_by_one = build_request(&base, &tool("/q", &[], None), &Default::default()).unwrap();
    for pair in ["a=x%20y", "a=%26", "b=%23%3F"] {
        one_by_one.push_query(pair.to_string());
    }
    assert_eq!(one_by_one.url.path().to_string() + "?" + one_by_one.url.query().unwrap(), expected);
    // An empty base query (`?`) is replaced, as `push_query` does.
    let empty = Url::parse("http://127.0.0.1:9/api?").unwrap();
    let r = build_request(&empty, &t, args.as_object().unwrap()).unwrap();
    assert_eq!(r.url.as_str(), "http://127.0.0.1:9/api/q?a=x%20y&a=%26&b=%23%3F");
    // No query parameter given: the base's query stays as it was.
    let r = build_request(&empty, &t, &Default::default()).unwrap();
    assert_eq!(r.url.as_str(), "http://127.0.0.1:9/api/q?");
}

#[test]
fn the_display_url_drops_the_query_and_user_info_and_keeps_a_hooks_fragment() {
    let t = tool("/pets", &[], None);
    let base = Url::parse("http://user:pw@127.0.0.1:9/api?v=2").unwrap();
    let mut r = build_request(&base, &t, &Default::default()).unwrap();
    r.push_query("api_key=secret".into());
    assert_eq!(r.display_url(), "http://127.0.0.1:9/api/pets");
    r.url.set_fragment(Some("frag"));
    assert_eq!(r.display_url(), "http://127.0.0.1:9/api/pets#frag");
    let mut plain = build_request(&Url::parse("https://h.example/").unwrap(), &t, &Default::default()).unwrap();
    assert_eq!(plain.display_url(), "https://h.example/pets");
    plain.url.set_query(Some(""));
    assert_eq!(plain.display_url(), "https://h.example/pets");
}

#[test]
fn dot_segments_from_the_template_are_refused_whatever_their_length() {
    static P: [ParamSpec; 1] = [path_param("id")];
    // Literal template text can spell a dot segment too; values cannot (`%` is encoded).
    for (template, refused) in [
        ("/a/%2E%2E/{id}", true),
        ("/a/%2e./{id}", true),
        ("/a/.%2E/{id}", true),
        ("/a/%2E/{id}", true),
        ("/a/%2E%2E%2E/{id}", false),
        ("/a/..../{id}", false),
        ("/a/{id}/..x", false),
    ] {
        let r = url_of(&tool(template, &P, None), json!({"id": "1"}));
        assert_eq!(r.is_err(), refused, "{template}: {r:?}");
    }
    // A long value with dots is one literal segment.
    let long = "..........";
    assert_eq!(
        url_of(&tool("/p/{id}", &P, None), json!({"id": long})).unwrap(),
        format!("https://api.example.com/v1/p/{long}")
    );
}

/// Under `openai-strict` a model sends `null` for every optional argument it leaves out: at the
/// places the generator named, that `null` is taken out and the request is the one the
/// argument's absence makes (no `"note": null` in the body, no empty body); a `null` the API's
/// own schema allows (elsewhere) is sent as it is.
#[test]
fn nulls_the_profile_introduced_mean_absent() {
    use super::request::drop_absent_nulls;
    static FIELDS: [FieldSpec; 3] = [
        FieldSpec { arg: "name", name: "name", binary: false },
        FieldSpec { arg: "note", name: "note", binary: false },
        FieldSpec { arg: "owner", name: "owner", binary: false },
    ];
    static Q: [ParamSpec; 1] = [ParamSpec {
        arg: "limit",
        name: "limit",
        location: Location::Query,
        style: Style::Form,
        explode: true,
        allow_reserved: false,
        json: false,
    }];
    let body = BodySpec {
        media_type: "application/json",
        kind: BodyKind::Json,
        whole: None,
        fields: &FIELDS,
        required: false,
    };
    let t = ToolSpec {
        null_absent: &["/limit", "/name", "/owner/nick", "/owner/pets/~*/tag", "/a~1b"],
        ..tool("/pets", &Q, Some(body))
    };
    let mut args = json!({
        "limit": null,
        "name": null,
        "note": null,
        "owner": {"id": 1, "nick": null, "pets": [{"tag": null, "n": 1}, {"tag": "x"}, 3]},
        "a/b": null
    })
    .as_object()
    .unwrap()
    .clone();
    drop_absent_nulls(&mut args, t.null_absent);
    assert_eq!(
        Value::Object(args.clone()),
        json!({"note": null, "owner": {"id": 1, "pets": [{"n": 1}, {"tag": "x"}, 3]}})
    );
    let r = build_request(&base(), &t, &args).unwrap();
    assert_eq!(r.url.as_str(), "https://api.example.com/v1/pets");
    let sent: Value = serde_json::from_slice(&r.body.unwrap().bytes).unwrap();
    assert_eq!(sent, json!({"note": null, "owner": {"id": 1, "pets": [{"n": 1}, {"tag": "x"}, 3]}}));
    // Every optional argument left out as null: no body at all, as when none is given.
    let mut only_nulls = json!({"name": null, "limit": null}).as_object().unwrap().clone();
    drop_absent_nulls(&mut only_nulls, t.null_absent);
    assert!(build_request(&base(), &t, &only_nulls).unwrap().body.is_none());
    // Paths that do not match the arguments' shape change nothing.
    let mut odd = json!({"owner": [1, 2], "limit": 5}).as_object().unwrap().clone();
    drop_absent_nulls(&mut odd, &["/owner/nick", "/owner/~*/x", "", "/"]);
    assert_eq!(Value::Object(odd), json!({"owner": [1, 2], "limit": 5}));
}
