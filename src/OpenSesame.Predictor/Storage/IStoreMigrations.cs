namespace OpenSesame.Predictor.Storage;

/// <summary>
/// The store's schema, brought to the version this build needs: at start (or first use) and by
/// <c>opensesame migrate</c>. Each provider keeps its steps in one versioned list; a step is applied once, in order,
/// however many instances start together.
/// </summary>
public interface IStoreMigrations
{
    /// <summary>Which store, for people: "SQLite file /srv/data/opensesame.db", "PostgreSQL database opensesame on db:5432"
    /// (never a password).</summary>
    string Store { get; }

    /// <summary>Applies the steps the store lacks.</summary>
    /// <returns>The steps this process applied (none when the store was up to date) and the version the store is at.</returns>
    Task<MigrationReport> MigrateAsync(CancellationToken cancellationToken);
}

/// <summary>What <see cref="IStoreMigrations.MigrateAsync"/> did: <paramref name="Store"/> names the provider and where
/// it is (a file, a server), <paramref name="Applied"/> the steps this process applied, <paramref name="Version"/> the
/// schema version the store is at now.</summary>
public sealed record MigrationReport(string Store, IReadOnlyList<MigrationStep> Applied, int Version);

/// <summary>One step of a provider's schema history.</summary>
public sealed record MigrationStep(int Version, string Name);
