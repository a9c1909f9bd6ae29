namespace OpenSesame.Storage.Postgres;

/// <summary>The PostgreSQL server used when <c>Storage:Provider</c> is <c>Postgres</c>. Section "Storage:Postgres" of the
/// configuration.</summary>
public sealed class PostgresOptions
{
    public const string Section = "Storage:Postgres";

    /// <summary>The value of <c>Storage:Provider</c> that selects this store (compared ignoring case).</summary>
    public const string ProviderName = "Postgres";

    /// <summary>An Npgsql connection string ("Host=db;Port=5432;Database=opensesame;Username=opensesame;Password=...").
    /// Required when <c>Storage:Provider</c> is <c>Postgres</c> (the service refuses to start without it); default empty.
    /// Its pooling, timeouts and TLS settings apply as written; <c>Search Path</c> puts the tables in a schema of their own.</summary>
    public string ConnectionString { get; set; } = "";
}
