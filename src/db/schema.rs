// The tables, shared by both backends (the migrations for each keep the same shape).

diesel::table! {
    organisations (id) {
        id -> BigInt,
        kind -> Text,
        name -> Text,
        legal_name -> Nullable<Text>,
        country -> Nullable<Text>,
        registration_number -> Nullable<Text>,
        created_at -> Timestamp,
        require_two_factor -> Bool,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        email -> Text,
        display_name -> Text,
        password_hash -> Text,
        role -> Text,
        created_at -> Timestamp,
        locale -> Nullable<Text>,
        email_verified_at -> Nullable<Timestamp>,
        removed_at -> Nullable<Timestamp>,
        totp_secret -> Nullable<Text>,
        totp_last_step -> Nullable<BigInt>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> Nullable<BigInt>,
        csrf_token -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    programmes (id) {
        id -> BigInt,
        funder_id -> BigInt,
        name -> Text,
        description -> Text,
        currency -> Text,
        budget -> BigInt,
        max_award -> BigInt,
        opens_on -> Date,
        closes_on -> Date,
        created_by -> BigInt,
        created_at -> Timestamp,
        price_tolerance_percent -> Integer,
        hold_days -> Integer,
        credits_cover -> Text,
        unused_credit -> Text,
        status -> Text,
        eligible_countries -> Nullable<Text>,
        eligible_categories -> Nullable<Text>,
        max_company_age_years -> Nullable<Integer>,
        eligible_hardware -> Nullable<Text>,
        reserved_share_bp -> Integer,
    }
}

diesel::table! {
    provider_offerings (id) {
        id -> BigInt,
        provider_id -> BigInt,
        name -> Text,
        hardware_kind -> Text,
        description -> Text,
        unit -> Text,
        currency -> Text,
        sku_id -> Nullable<Text>,
        service_name -> Text,
        region -> Nullable<Text>,
        country -> Nullable<Text>,
        price -> Text,
        valid_from -> Date,
        valid_until -> Nullable<Date>,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        programme_id -> BigInt,
        startup_id -> BigInt,
        provider_id -> BigInt,
        requested -> BigInt,
        purpose -> Text,
        hardware -> Text,
        status -> Text,
        approved_amount -> Nullable<BigInt>,
        decision_reason -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        submitted_by -> BigInt,
        created_at -> Timestamp,
        ineligible_reasons -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        overridden_by -> Nullable<BigInt>,
        overridden_at -> Nullable<Timestamp>,
        offer_expires_at -> Nullable<Timestamp>,
        offer_hold_id -> Nullable<BigInt>,
        responded_by -> Nullable<BigInt>,
        responded_at -> Nullable<Timestamp>,
        quota_category -> Nullable<Text>,
        change_request -> Nullable<Text>,
        change_requested_by -> Nullable<BigInt>,
        change_requested_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    application_revisions (id) {
        id -> BigInt,
        application_id -> BigInt,
        number -> BigInt,
        submitted_by -> BigInt,
        submitted_at -> Timestamp,
        requested -> BigInt,
        purpose -> Text,
        hardware -> Text,
        provider_id -> BigInt,
    }
}

diesel::table! {
    grants (id) {
        id -> BigInt,
        code -> Text,
        application_id -> BigInt,
        programme_id -> BigInt,
        startup_id -> BigInt,
        provider_id -> BigInt,
        amount -> BigInt,
        currency -> Text,
        valid_from -> Date,
        valid_until -> Date,
        status -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    usage_jobs (id) {
        id -> BigInt,
        provider_id -> BigInt,
        requested_by -> BigInt,
        filename -> Text,
        stored_path -> Text,
        size_bytes -> BigInt,
        submit -> Bool,
        status -> Text,
        phase -> Text,
        lines_read -> BigInt,
        problems_found -> BigInt,
        attempts -> Integer,
        upload_id -> Nullable<BigInt>,
        problems -> Nullable<Text>,
        failure -> Nullable<Text>,
        created_at -> Timestamp,
        started_at -> Nullable<Timestamp>,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    usage_uploads (id) {
        id -> BigInt,
        provider_id -> BigInt,
        filename -> Text,
        file_sha256 -> Text,
        currency -> Text,
        total_cost -> Text,
        line_count -> BigInt,
        status -> Text,
        uploaded_by -> BigInt,
        created_at -> Timestamp,
        confirmed_by -> Nullable<BigInt>,
        confirmed_at -> Nullable<Timestamp>,
        job_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    usage_lines (id) {
        id -> BigInt,
        upload_id -> BigInt,
        line_number -> BigInt,
        grant_id -> BigInt,
        charge_period_start -> Timestamp,
        charge_period_end -> Timestamp,
        service_name -> Text,
        consumed_quantity -> Text,
        consumed_unit -> Text,
        billed_cost -> Text,
        currency -> Text,
        resource_id -> Nullable<Text>,
        sku_id -> Nullable<Text>,
    }
}

diesel::table! {
    usage_charges (id) {
        id -> BigInt,
        upload_id -> BigInt,
        grant_id -> BigInt,
        amount -> BigInt,
        exact_cost -> Nullable<Text>,
        line_count -> Nullable<BigInt>,
        hold_entry_id -> Nullable<BigInt>,
        invoice_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    invoices (id) {
        id -> BigInt,
        provider_id -> BigInt,
        funder_id -> BigInt,
        upload_id -> BigInt,
        number -> Text,
        syntax -> Text,
        issue_date -> Date,
        currency -> Text,
        net_total -> BigInt,
        tax_total -> BigInt,
        payable -> BigInt,
        file_sha256 -> Text,
        status -> Text,
        dispute_reason -> Nullable<Text>,
        uploaded_by -> BigInt,
        created_at -> Timestamp,
        decided_by -> Nullable<BigInt>,
        decided_at -> Nullable<Timestamp>,
        payee_iban -> Nullable<Text>,
        payee_bic -> Nullable<Text>,
        settlement_id -> Nullable<BigInt>,
        approved_net -> Nullable<BigInt>,
        ledger_total -> BigInt,
        credited -> BigInt,
        credited_payable -> BigInt,
    }
}

diesel::table! {
    credit_notes (id) {
        id -> BigInt,
        provider_id -> BigInt,
        invoice_id -> BigInt,
        number -> Text,
        syntax -> Text,
        issue_date -> Date,
        currency -> Text,
        amount -> BigInt,
        net_total -> BigInt,
        tax_total -> BigInt,
        payable -> BigInt,
        file_sha256 -> Text,
        status -> Text,
        uploaded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    credit_note_grants (credit_note_id, grant_id) {
        credit_note_id -> BigInt,
        grant_id -> BigInt,
        amount -> BigInt,
        entry_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    usage_flags (id) {
        id -> BigInt,
        line_id -> BigInt,
        grant_id -> BigInt,
        reason -> Text,
        flagged_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    settlements (id) {
        id -> BigInt,
        funder_id -> BigInt,
        paid_on -> Date,
        reference -> Text,
        debtor_name -> Text,
        debtor_iban -> Text,
        debtor_bic -> Text,
        currency -> Text,
        total -> BigInt,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_accounts (id) {
        id -> BigInt,
        code -> Text,
        owner_kind -> Text,
        owner_id -> BigInt,
        purpose -> Text,
        currency -> Text,
        normal_side -> Text,
        limit_rule -> Text,
        debits_posted -> BigInt,
        credits_posted -> BigInt,
        debits_pending -> BigInt,
        credits_pending -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    ledger_entries (id) {
        id -> BigInt,
        idempotency_key -> Text,
        payload_hash -> Text,
        kind -> Text,
        description -> Text,
        effective_on -> Date,
        actor -> Text,
        programme_id -> Nullable<BigInt>,
        grant_id -> Nullable<BigInt>,
        usage_upload_id -> Nullable<BigInt>,
        reverses_entry_id -> Nullable<BigInt>,
        created_at -> Timestamp,
        prev_hash -> Text,
        hash -> Text,
        phase -> Text,
        resolves_entry_id -> Nullable<BigInt>,
        expires_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    ledger_postings (id) {
        id -> BigInt,
        entry_id -> BigInt,
        account_id -> BigInt,
        direction -> Text,
        amount -> BigInt,
        currency -> Text,
    }
}

diesel::table! {
    ledger_kind_totals (account_id, kind) {
        account_id -> BigInt,
        kind -> Text,
        debits -> BigInt,
        credits -> BigInt,
    }
}

diesel::table! {
    spend_days (programme_id, account_id, hardware_kind, day) {
        programme_id -> BigInt,
        account_id -> BigInt,
        hardware_kind -> Text,
        day -> Date,
        debits -> BigInt,
        credits -> BigInt,
    }
}

diesel::table! {
    ledger_head (id) {
        id -> BigInt,
        entry_count -> BigInt,
        last_hash -> Text,
    }
}

diesel::table! {
    invitations (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        email -> Text,
        role -> Text,
        token_hash -> Text,
        invited_by -> BigInt,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        accepted_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    recovery_codes (code_hash) {
        code_hash -> Text,
        user_id -> BigInt,
        created_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        event_key -> Text,
        message -> Text,
        link -> Text,
        created_at -> Timestamp,
        read_at -> Nullable<Timestamp>,
        mail_status -> Text,
    }
}

diesel::table! {
    notification_opt_outs (user_id, kind) {
        user_id -> BigInt,
        kind -> Text,
    }
}

diesel::table! {
    programme_cofunders (programme_id, funder_id) {
        programme_id -> BigInt,
        funder_id -> BigInt,
        invited_by -> BigInt,
        invited_at -> Timestamp,
        committed -> BigInt,
    }
}

diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(programmes -> organisations (funder_id));
diesel::joinable!(applications -> programmes (programme_id));
diesel::joinable!(application_revisions -> applications (application_id));
diesel::joinable!(grants -> programmes (programme_id));
diesel::joinable!(usage_lines -> usage_uploads (upload_id));
diesel::joinable!(ledger_postings -> ledger_entries (entry_id));
diesel::joinable!(ledger_postings -> ledger_accounts (account_id));
diesel::joinable!(ledger_kind_totals -> ledger_accounts (account_id));
diesel::joinable!(spend_days -> ledger_accounts (account_id));
diesel::joinable!(spend_days -> programmes (programme_id));

diesel::allow_tables_to_appear_in_same_query!(
    ledger_kind_totals,
    spend_days,
    application_revisions,
    programme_cofunders,
    notifications,
    notification_opt_outs,
    organisations,
    users,
    invitations,
    recovery_codes,
    sessions,
    programmes,
    provider_offerings,
    applications,
    grants,
    usage_uploads,
    usage_jobs,
    usage_lines,
    usage_charges,
    invoices,
    credit_notes,
    credit_note_grants,
    settlements,
    usage_flags,
    ledger_accounts,
    ledger_entries,
    ledger_postings,
    ledger_head,
);

diesel::table! {
    app_secrets (name) {
        name -> Text,
        value -> Text,
    }
}

diesel::table! {
    mail_outbox (id) {
        id -> BigInt,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    email_tokens (token_hash) {
        token_hash -> Text,
        user_id -> BigInt,
        purpose -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audit_events (id) {
        id -> BigInt,
        at -> Timestamp,
        actor_user_id -> Nullable<BigInt>,
        actor -> Text,
        address -> Nullable<Text>,
        request_id -> Nullable<Text>,
        action -> Text,
        subject -> Nullable<Text>,
        detail -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        name -> Text,
        scopes -> Text,
        secret_hash -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    api_idempotency (token_id, idempotency_key) {
        token_id -> BigInt,
        idempotency_key -> Text,
        request_sha256 -> Text,
        status -> Integer,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    company_profiles (organisation_id) {
        organisation_id -> BigInt,
        accounts_year_end -> Date,
        staff_awu -> Text,
        turnover -> BigInt,
        balance_sheet -> BigInt,
        public_body_control -> Bool,
        vat_number -> Nullable<Text>,
        updated_by -> Nullable<BigInt>,
        updated_at -> Timestamp,
        founded_on -> Nullable<Date>,
    }
}

diesel::table! {
    company_associates (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        relation -> Text,
        name -> Text,
        country -> Text,
        registration_number -> Text,
        capital_share -> Text,
        voting_share -> Text,
        staff_awu -> Text,
        turnover -> BigInt,
        balance_sheet -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    declared_aid (id) {
        id -> BigInt,
        organisation_id -> BigInt,
        granted_on -> Date,
        amount -> BigInt,
        granting_body -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    de_minimis_awards (grant_id) {
        grant_id -> BigInt,
        aid_id -> Text,
        beneficiary_id -> BigInt,
        beneficiary_name -> Text,
        beneficiary_identifier -> Text,
        beneficiary_country -> Text,
        sme_category -> Nullable<Text>,
        amount -> BigInt,
        currency -> Text,
        granted_on -> Date,
        granting_authority_id -> BigInt,
        granting_authority -> Text,
        regulation -> Text,
        programme_id -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    grant_changes (id) {
        id -> BigInt,
        grant_id -> BigInt,
        kind -> Text,
        reason -> Nullable<Text>,
        previous_until -> Date,
        new_until -> Nullable<Date>,
        clawed_back -> BigInt,
        changed_by -> Nullable<BigInt>,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    programme_changes (id) {
        id -> BigInt,
        programme_id -> BigInt,
        kind -> Text,
        old_value -> Text,
        new_value -> Text,
        reason -> Text,
        changed_by -> BigInt,
        changed_at -> Timestamp,
    }
}

diesel::joinable!(grant_changes -> grants (grant_id));
diesel::allow_tables_to_appear_in_same_query!(grant_changes, grants);
diesel::allow_tables_to_appear_in_same_query!(grant_changes, users);
diesel::joinable!(programme_changes -> programmes (programme_id));
diesel::allow_tables_to_appear_in_same_query!(programme_changes, programmes);
diesel::allow_tables_to_appear_in_same_query!(programme_changes, users);

diesel::table! {
    review_scales (programme_id) {
        programme_id -> BigInt,
        scale_min -> BigInt,
        scale_max -> BigInt,
    }
}

diesel::table! {
    review_criteria (id) {
        id -> BigInt,
        programme_id -> BigInt,
        position -> BigInt,
        name -> Text,
        weight -> BigInt,
    }
}

diesel::table! {
    review_assignments (id) {
        id -> BigInt,
        application_id -> BigInt,
        reviewer_id -> BigInt,
        assigned_by -> BigInt,
        assigned_at -> Timestamp,
        status -> Text,
        conflict_note -> Nullable<Text>,
        declared_at -> Nullable<Timestamp>,
        submitted_at -> Nullable<Timestamp>,
        replaced_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    review_scores (assignment_id, criterion_id) {
        assignment_id -> BigInt,
        criterion_id -> BigInt,
        score -> BigInt,
        comment -> Text,
    }
}

diesel::joinable!(review_criteria -> programmes (programme_id));
diesel::joinable!(review_assignments -> applications (application_id));
diesel::joinable!(review_scores -> review_assignments (assignment_id));
diesel::joinable!(review_scores -> review_criteria (criterion_id));
diesel::allow_tables_to_appear_in_same_query!(review_assignments, applications);
diesel::allow_tables_to_appear_in_same_query!(review_assignments, programmes);
diesel::allow_tables_to_appear_in_same_query!(review_assignments, users);
diesel::allow_tables_to_appear_in_same_query!(review_assignments, review_scores);
diesel::allow_tables_to_appear_in_same_query!(review_assignments, review_criteria);
diesel::allow_tables_to_appear_in_same_query!(review_assignments, organisations);
diesel::allow_tables_to_appear_in_same_query!(review_criteria, review_scores);
diesel::allow_tables_to_appear_in_same_query!(review_criteria, programmes);
// Moved by triggers on every change to what cached pages show besides ledger figures.
diesel::table! {
    page_state (id) {
        id -> BigInt,
        version -> BigInt,
    }
}
diesel::allow_tables_to_appear_in_same_query!(ledger_head, page_state);
// A signed-in request reads the page state with its session (`identity::signed_in`).
diesel::allow_tables_to_appear_in_same_query!(page_state, sessions);
diesel::allow_tables_to_appear_in_same_query!(page_state, users);
diesel::allow_tables_to_appear_in_same_query!(page_state, organisations);
