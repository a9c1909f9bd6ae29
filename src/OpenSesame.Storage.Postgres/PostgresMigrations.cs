namespace OpenSesame.Storage.Postgres;

/// <summary>One versioned step of the PostgreSQL schema.</summary>
internal sealed record PostgresMigration(int Version, string Name, string Sql);

/// <summary>
/// The PostgreSQL schema's whole history, in one place. <see cref="PostgresDatabase"/> applies the steps a database
/// lacks in order, in one transaction under an advisory lock, and records each in <c>schema_migrations</c>. A step that
/// has shipped is never edited: a later change is a new step at the end (databases outlive releases).
/// <para>The tables mirror the SQLite store's (times as Unix milliseconds, costs as whole nano-dollars, vectors as
/// little-endian float32 blobs), with an identity column where SQLite's rowid gave insertion order.</para>
/// </summary>
internal static class PostgresMigrations
{
    public static IReadOnlyList<PostgresMigration> All { get; } =
    [
        new(1, "tables of the audit log, cost ledger, usage, outcomes, retraining queue, spec documents, embeddings and response cache", """
            CREATE TABLE spec_documents (
                url text PRIMARY KEY,
                content_hash text NOT NULL,
                fetched_at_ms bigint NOT NULL,
                content text NOT NULL
            );
            CREATE TABLE operation_embeddings (
                content_hash text NOT NULL,
                version text NOT NULL,
                texts_hash text NOT NULL,
                count integer NOT NULL,
                dimensions integer NOT NULL,
                vectors bytea NOT NULL,
                PRIMARY KEY (content_hash, version)
            );

            -- What was spent and what was answered stays as it was written: rows may be deleted (retention), never changed.
            CREATE FUNCTION opensesame_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only', TG_ARGV[0];
            END
            $$;
            CREATE TABLE audit_log (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at_ms bigint NOT NULL,
                prediction_id text NOT NULL,
                user_id text,
                session_id text,
                spec_hash text NOT NULL,
                prompt text,
                endpoints text NOT NULL,
                model text NOT NULL,
                latency_ms double precision NOT NULL,
                cost_usd numeric NOT NULL,
                flags text NOT NULL
            );
            CREATE INDEX audit_log_user_at ON audit_log (user_id, at_ms);
            CREATE INDEX audit_log_at ON audit_log (at_ms);
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE ON audit_log
                FOR EACH ROW EXECUTE FUNCTION opensesame_refuse_update('the audit log');
            CREATE TABLE cost_ledger (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                at_ms bigint NOT NULL,
                prediction_id text NOT NULL,
                user_id text,
                session_id text,
                model text NOT NULL,
                input_tokens bigint NOT NULL,
                output_tokens bigint NOT NULL,
                cost_nano_usd bigint NOT NULL,
                cache_hit integer NOT NULL
            );
            CREATE INDEX cost_ledger_at ON cost_ledger (at_ms);
            CREATE TRIGGER cost_ledger_append_only BEFORE UPDATE ON cost_ledger
                FOR EACH ROW EXECUTE FUNCTION opensesame_refuse_update('the cost ledger');

            CREATE TABLE distributed_cache (
                key text PRIMARY KEY,
                value bytea NOT NULL,
                expires_at_ms bigint,
                sliding_ms bigint,
                absolute_expires_at_ms bigint
            );
            CREATE INDEX distributed_cache_expires ON distributed_cache (expires_at_ms);
            CREATE TABLE usage_ngrams (
                spec_hash text NOT NULL,
                scope text NOT NULL,
                context text NOT NULL,
                next_key text NOT NULL,
                weight double precision NOT NULL,
                updated_at_ms bigint NOT NULL,
                PRIMARY KEY (spec_hash, scope, context, next_key)
            );
            CREATE TABLE served_predictions (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                prediction_id text NOT NULL UNIQUE,
                at_ms bigint NOT NULL,
                user_id text,
                session_id text,
                spec_hash text NOT NULL,
                model text NOT NULL,
                history_length integer NOT NULL,
                history_hash text NOT NULL,
                served integer NOT NULL,
                endpoints text NOT NULL,
                scores text NOT NULL,
                feature_count integer NOT NULL,
                features bytea NOT NULL,
                feature_list text,
                caller text
            );
            CREATE INDEX served_predictions_session ON served_predictions (session_id, user_id, seq);
            CREATE INDEX served_predictions_at ON served_predictions (at_ms);
            CREATE TABLE prediction_outcomes (
                prediction_id text PRIMARY KEY,
                at_ms bigint NOT NULL,
                kind text NOT NULL,
                source text NOT NULL,
                chosen text,
                rank integer
            );
            CREATE TABLE retrain_requests (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                id text NOT NULL UNIQUE,
                trigger text NOT NULL,
                requested_by text NOT NULL,
                requested_at_ms bigint NOT NULL,
                state text NOT NULL,
                worker text,
                started_at_ms bigint,
                finished_at_ms bigint,
                candidate text,
                message text
            );
            CREATE INDEX retrain_requests_state ON retrain_requests (state, requested_at_ms);
            CREATE INDEX retrain_requests_started ON retrain_requests (started_at_ms);
            """),
    ];
}
