// Mirrors migrations/{sqlite,postgres}; both backends expose the same column types.

diesel::table! {
    roles (key) {
        key -> Text,
        name -> Text,
        description -> Text,
        built_in -> Bool,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    role_permissions (role_key, permission) {
        role_key -> Text,
        permission -> Text,
        scope -> Text,
    }
}

diesel::table! {
    staff (id) {
        id -> BigInt,
        email -> Text,
        full_name -> Text,
        role -> Text,
        reports_to -> Nullable<BigInt>,
        active -> Bool,
        password_hash -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        kind -> Text,
    }
}

diesel::table! {
    service_credentials (staff_id) {
        staff_id -> BigInt,
        client_id -> Text,
        secret_hash -> Text,
        rotated_at -> Timestamp,
    }
}

diesel::table! {
    clients (id) {
        id -> BigInt,
        name -> Text,
        name_key -> Text,
        legal_name -> Nullable<Text>,
        industry -> Nullable<Text>,
        website -> Nullable<Text>,
        status -> Text,
        health -> Text,
        health_note -> Nullable<Text>,
        primary_contact_name -> Nullable<Text>,
        primary_contact_email -> Nullable<Text>,
        primary_contact_phone -> Nullable<Text>,
        external_ref -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        occurred_at -> Timestamp,
        actor_id -> Nullable<BigInt>,
        action -> Text,
        resource_type -> Text,
        resource_id -> Text,
        changes -> Text,
        request_id -> Text,
        client_id -> Nullable<BigInt>,
        account_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        client_id -> BigInt,
        name -> Text,
        name_key -> Text,
        status -> Text,
        manager_id -> Nullable<BigInt>,
        budget_amount_minor -> Nullable<BigInt>,
        budget_currency -> Nullable<Text>,
        threshold_amount_minor -> Nullable<BigInt>,
        threshold_currency -> Nullable<Text>,
        external_ref -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    account_team (account_id, staff_id) {
        account_id -> BigInt,
        staff_id -> BigInt,
        role_on_account -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(role_permissions -> roles (role_key));
diesel::joinable!(staff -> roles (role));
diesel::joinable!(audit_events -> staff (actor_id));
diesel::table! {
    briefs (id) {
        id -> BigInt,
        account_id -> BigInt,
        client_id -> BigInt,
        title -> Text,
        title_key -> Text,
        background -> Nullable<Text>,
        objectives -> Nullable<Text>,
        target_audience -> Nullable<Text>,
        consumer_insight -> Nullable<Text>,
        key_message -> Nullable<Text>,
        deliverables -> Nullable<Text>,
        mandatories -> Nullable<Text>,
        budget_amount_minor -> Nullable<BigInt>,
        budget_currency -> Nullable<Text>,
        due_date -> Nullable<Date>,
        author_id -> BigInt,
        status -> Text,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        submitted_version -> Nullable<Integer>,
        approval_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    approval_policies (subject_type) {
        subject_type -> Text,
        stages -> Text,
        version -> Integer,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    approvals (id) {
        id -> BigInt,
        subject_type -> Text,
        subject_id -> BigInt,
        subject_version -> Integer,
        subject_author_id -> Nullable<BigInt>,
        account_id -> BigInt,
        client_id -> BigInt,
        status -> Text,
        current_stage -> Nullable<Integer>,
        requested_by -> BigInt,
        due_date -> Nullable<Date>,
        note -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    approval_stages (approval_id, position) {
        approval_id -> BigInt,
        position -> Integer,
        name -> Text,
        kind -> Text,
        rule -> Text,
        status -> Text,
        decided_at -> Nullable<Timestamp>,
        director -> Bool,
    }
}

diesel::table! {
    approval_deciders (approval_id, position, staff_id) {
        approval_id -> BigInt,
        position -> Integer,
        staff_id -> BigInt,
    }
}

diesel::table! {
    approval_decisions (id) {
        id -> BigInt,
        approval_id -> BigInt,
        position -> Integer,
        slot -> BigInt,
        decided_by -> BigInt,
        decision -> Text,
        note -> Nullable<Text>,
        subject_version -> Integer,
        client_person_name -> Nullable<Text>,
        client_person_email -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    brief_versions (brief_id, number) {
        brief_id -> BigInt,
        number -> Integer,
        content -> Text,
        submitted_by -> BigInt,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    creative_rounds (id) {
        id -> BigInt,
        brief_id -> BigInt,
        account_id -> BigInt,
        client_id -> BigInt,
        number -> Integer,
        summary -> Text,
        assets -> Text,
        status -> Text,
        approval_id -> Nullable<BigInt>,
        created_by -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (principal, key) {
        principal -> Text,
        key -> Text,
        fingerprint -> Text,
        status -> Nullable<Integer>,
        headers -> Nullable<Text>,
        body -> Nullable<Binary>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> BigInt,
        family -> Text,
        staff_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    contracts (id) {
        id -> BigInt,
        client_id -> BigInt,
        account_id -> Nullable<BigInt>,
        title -> Text,
        kind -> Text,
        start_date -> Date,
        end_date -> Nullable<Date>,
        value_amount_minor -> BigInt,
        value_currency -> Text,
        auto_renew -> Bool,
        notice_days -> Integer,
        renewal_term_months -> Nullable<Integer>,
        notice_deadline -> Nullable<Date>,
        status -> Text,
        renewal_of -> Nullable<BigInt>,
        terminated_on -> Nullable<Date>,
        termination_reason -> Nullable<Text>,
        external_ref -> Nullable<Text>,
        approval_id -> Nullable<BigInt>,
        created_by -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    payments (id) {
        id -> BigInt,
        account_id -> BigInt,
        client_id -> BigInt,
        contract_id -> Nullable<BigInt>,
        direction -> Text,
        amount_minor -> BigInt,
        currency -> Text,
        description -> Text,
        due_date -> Nullable<Date>,
        status -> Text,
        requested_by -> BigInt,
        approved_by -> Nullable<BigInt>,
        approval_id -> Nullable<BigInt>,
        paid_at -> Nullable<Timestamp>,
        external_ref -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(accounts -> clients (client_id));
diesel::joinable!(briefs -> accounts (account_id));
diesel::joinable!(account_team -> accounts (account_id));
diesel::joinable!(account_team -> staff (staff_id));
diesel::joinable!(service_credentials -> staff (staff_id));

diesel::allow_tables_to_appear_in_same_query!(
    roles,
    role_permissions,
    staff,
    clients,
    audit_events,
    accounts,
    account_team,
    briefs,
    approval_policies,
    approvals,
    approval_stages,
    approval_deciders,
    approval_decisions,
    brief_versions,
    creative_rounds,
    contracts,
    payments,
    idempotency_keys,
    refresh_tokens,
    service_credentials,
);
