/// The SQL schema of ``SQLPlatformStore`` as migrations: steps are only appended, never
/// edited (see `SQLiteConnection.migrate`).
enum PlatformSchema {
    static let migrations: [[String]] = [
        // 1: workspaces, keys and the append-only audit log.
        [
            "CREATE TABLE workspaces (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created REAL NOT NULL)",
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), role TEXT NOT NULL,
                name TEXT NOT NULL, secret_hash TEXT NOT NULL, created REAL NOT NULL, expires REAL, revoked REAL, last_used REAL)
            """,
            "CREATE INDEX api_keys_workspace ON api_keys(workspace_id)",
            """
            CREATE TABLE audit_log (
                sequence INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, workspace_id TEXT, key_id TEXT, action TEXT NOT NULL,
                resource TEXT NOT NULL, result TEXT NOT NULL, request_id TEXT NOT NULL, source TEXT NOT NULL,
                previous_hash TEXT NOT NULL, hash TEXT NOT NULL)
            """,
            "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END",
        ],
        // 2: datasets and their versions.
        [
            """
            CREATE TABLE datasets (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL,
                created REAL NOT NULL, wrapped_key TEXT NOT NULL, master_key_id TEXT NOT NULL, UNIQUE (workspace_id, name))
            """,
            """
            CREATE TABLE dataset_versions (
                dataset_id TEXT NOT NULL REFERENCES datasets(id) ON DELETE CASCADE, number INTEGER NOT NULL,
                blob_id TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL, preview TEXT NOT NULL, created REAL NOT NULL,
                PRIMARY KEY (dataset_id, number))
            """,
        ],
        // 3: training jobs (the whole record as JSON, with the columns the scheduler selects on).
        [
            """
            CREATE TABLE jobs (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), state TEXT NOT NULL,
                priority INTEGER NOT NULL, created REAL NOT NULL, record TEXT NOT NULL)
            """,
            "CREATE INDEX jobs_state ON jobs(state, priority DESC, created)",
            "CREATE INDEX jobs_workspace ON jobs(workspace_id, created)",
        ],
        // 4: the model registry (card and aliases live in the record; keys in columns for rotation).
        [
            """
            CREATE TABLE models (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL, created REAL NOT NULL,
                wrapped_key TEXT NOT NULL, master_key_id TEXT NOT NULL, record TEXT NOT NULL, UNIQUE (workspace_id, name))
            """,
            """
            CREATE TABLE model_versions (
                model_id TEXT NOT NULL REFERENCES models(id), number INTEGER NOT NULL, record TEXT NOT NULL, PRIMARY KEY (model_id, number))
            """,
        ],
        // 5: marketplace listings (public to every workspace).
        [
            "CREATE TABLE market_listings (id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL, created REAL NOT NULL, record TEXT NOT NULL)",
        ],
        // 6: deployments (names unique on the platform: they name endpoints) and their events.
        [
            """
            CREATE TABLE deployments (
                id TEXT PRIMARY KEY, workspace_id TEXT NOT NULL REFERENCES workspaces(id), name TEXT NOT NULL UNIQUE,
                created REAL NOT NULL, record TEXT NOT NULL)
            """,
            """
            CREATE TABLE deployment_events (
                sequence INTEGER PRIMARY KEY, deployment_id TEXT NOT NULL, time REAL NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL)
            """,
            "CREATE INDEX deployment_events_deployment ON deployment_events(deployment_id, sequence)",
        ],
    ]
}
