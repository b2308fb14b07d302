//! The tables, written by hand once for both backends (`diesel print-schema` differs per backend).
//! Keep in step with `migrations/{sqlite,postgres}`; `tests/migrations.rs` checks both.

diesel::table! {
    domains (id) {
        id -> Text,
        name -> Text,
        description -> Text,
        owners -> Text,
        reviewers -> Text,
        audience -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    scopes (name) {
        name -> Text,
        domain_id -> Text,
        status -> Text,
        classification -> Nullable<Text>,
        definition -> Text,
        introduced_in -> BigInt,
        changed_in -> BigInt,
        search -> Text,
    }
}

diesel::table! {
    change_requests (id) {
        id -> Text,
        domain_id -> Text,
        title -> Text,
        description -> Text,
        author -> Text,
        author_name -> Text,
        status -> Text,
        revision -> Integer,
        base_version -> BigInt,
        published_version -> Nullable<BigInt>,
        lint -> Text,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    change_request_items (change_request_id, position) {
        change_request_id -> Text,
        position -> Integer,
        kind -> Text,
        scope_name -> Text,
        definition -> Nullable<Text>,
        sunset -> Nullable<Text>,
        replacement -> Nullable<Text>,
    }
}

diesel::table! {
    reviews (id) {
        id -> Text,
        change_request_id -> Text,
        reviewer -> Text,
        reviewer_name -> Text,
        verdict -> Text,
        body -> Text,
        security -> Bool,
        revision -> Integer,
        dismissed -> Bool,
        created_at -> BigInt,
    }
}

diesel::table! {
    comments (id) {
        id -> Text,
        change_request_id -> Text,
        author -> Text,
        author_name -> Text,
        body -> Text,
        created_at -> BigInt,
    }
}

diesel::table! {
    catalog_versions (version) {
        version -> BigInt,
        change_request_id -> Nullable<Text>,
        published_by -> Text,
        published_at -> BigInt,
        digest -> Text,
        body -> Text,
    }
}

diesel::table! {
    scope_changes (scope_name, version) {
        scope_name -> Text,
        version -> BigInt,
        change_request_id -> Nullable<Text>,
        kind -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
    }
}

diesel::table! {
    audit_events (seq) {
        seq -> BigInt,
        at -> BigInt,
        actor -> Text,
        action -> Text,
        target_type -> Text,
        target_id -> Text,
        before -> Nullable<Text>,
        after -> Nullable<Text>,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    web_sessions (id_hash) {
        id_hash -> Text,
        subject -> Text,
        name -> Nullable<Text>,
        access_token -> Text,
        access_expires_at -> BigInt,
        refresh_token -> Nullable<Text>,
        csrf_token -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
        last_seen -> BigInt,
    }
}

diesel::table! {
    pending_logins (state_hash) {
        state_hash -> Text,
        browser_hash -> Text,
        nonce -> Text,
        pkce_verifier -> Text,
        return_to -> Text,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::joinable!(scopes -> domains (domain_id));
diesel::joinable!(change_requests -> domains (domain_id));
diesel::joinable!(change_request_items -> change_requests (change_request_id));
diesel::joinable!(reviews -> change_requests (change_request_id));
diesel::joinable!(comments -> change_requests (change_request_id));

diesel::allow_tables_to_appear_in_same_query!(
    domains,
    scopes,
    change_requests,
    change_request_items,
    reviews,
    comments,
    catalog_versions,
    scope_changes,
    audit_events,
    settings,
    web_sessions,
    pending_logins,
);
