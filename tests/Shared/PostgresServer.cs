using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OpenSesame.Testing;

/// <summary>
/// A PostgreSQL server of the test's own: <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on a free
/// loopback port (the unix socket in that folder too), stopped and deleted when disposed. PostgreSQL refuses to run as
/// root, so as root the binaries run as the <c>postgres</c> user (<c>runuser</c>) on a folder handed to it. Durability
/// settings are off (fsync, synchronous commit): these servers hold test data only. Without <c>initdb</c> and
/// <c>pg_ctl</c> (on the PATH or in /usr/lib/postgresql/*/bin) the test is skipped with the reason, and fails under
/// <c>CI=true</c>, where <c>.ci/run</c> installs them.
/// </summary>
internal sealed class PostgresServer : IAsyncDisposable
{
    // Servers still running when the test process ends (the shared one, a test that never disposed its own) are
    // stopped and deleted with it.
    private static readonly ConcurrentDictionary<PostgresServer, bool> Running = new();
    private static readonly Lazy<Task<PostgresServer>> SharedServer = new(StartAsync);

    private readonly string _bin;
    private readonly bool _asPostgresUser;

    static PostgresServer() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var server in Running.Keys)
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    };

    private PostgresServer(string bin, string folder, int port, bool asPostgresUser)
    {
        _bin = bin;
        Folder = folder;
        Port = port;
        _asPostgresUser = asPostgresUser;
    }

    public string Folder { get; }

    public int Port { get; }

    private string DataFolder => Path.Combine(Folder, "data");

    /// <summary>An Npgsql connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database = "postgres") =>
        $"Host=127.0.0.1;Port={Port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database={database}";

    /// <summary>One server for the whole test process, started on first use: tests that need only a database of their
    /// own (<see cref="CreateDatabaseAsync"/>) share it.</summary>
    public static Task<PostgresServer> SharedAsync() => SharedServer.Value;

    /// <summary>A server of the caller's own, which it may stop and start again.</summary>
    public static async Task<PostgresServer> StartAsync()
    {
        var bin = FindBin();
        if (bin is null)
        {
            const string reason = "PostgreSQL is not installed (apt-get install -y postgresql: initdb and pg_ctl); the PostgreSQL tests need it.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(reason);
            }

            Assert.Skip(reason);
        }

        var asPostgresUser = string.Equals(Environment.UserName, "root", StringComparison.Ordinal);
        var server = new PostgresServer(bin, Directory.CreateTempSubdirectory("opensesame-postgres-").FullName, FreePort(), asPostgresUser);
        Running[server] = true;
        try
        {
            if (asPostgresUser)
            {
                await RunAsync("chown", ["postgres:", server.Folder]);
            }

            await server.RunPostgresAsync("initdb", ["-D", server.DataFolder, "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                "--no-sync", "--no-instructions"]);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port, with what it held, and waits
    /// until it accepts connections.</summary>
    public Task StartAgainAsync() => RunPostgresAsync("pg_ctl", ["-D", DataFolder, "-l", Path.Combine(Folder, "server.log"), "-w", "-t", "60",
        "-o", $"-p {Port.ToString(CultureInfo.InvariantCulture)} -c listen_addresses=127.0.0.1 -c unix_socket_directories='{Folder}' "
              + "-c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"]);

    /// <summary>Stops the server at once, as a crash or a network cut would take it away.</summary>
    public Task StopAsync() => RunPostgresAsync("pg_ctl", ["-D", DataFolder, "-m", "immediate", "-w", "stop"]);

    /// <summary>A new, empty database on this server; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "test_" + Guid.NewGuid().ToString("n");
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Deletes a database <see cref="CreateDatabaseAsync"/> made, closing whatever is still connected to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!Running.TryRemove(this, out _))
        {
            return;
        }

        try
        {
            if (File.Exists(Path.Combine(DataFolder, "postmaster.pid")))
            {
                await StopAsync();
            }
        }
        finally
        {
            Directory.Delete(Folder, recursive: true);
        }
    }

    private Task RunPostgresAsync(string program, IReadOnlyList<string> arguments) => _asPostgresUser
        ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_bin, program), .. arguments])
        : RunAsync(Path.Combine(_bin, program), arguments);

    private static async Task RunAsync(string program, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    /// <summary>The folder holding initdb and pg_ctl: the PATH first, then Debian's versioned folders, newest first.</summary>
    private static string? FindBin()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                    .OrderByDescending(b => int.TryParse(Path.GetFileName(Path.GetDirectoryName(b)), out var version) ? version : 0)
                : []);
        return candidates
            .Select(folder => File.Exists(Path.Combine(folder, "initdb")) ? Path.GetDirectoryName(ResolveLink(Path.Combine(folder, "initdb"))) : null)
            .FirstOrDefault(folder => folder is not null && File.Exists(Path.Combine(folder, "pg_ctl")));
    }

    // /usr/local/bin/initdb may be a link into /usr/lib/postgresql/N/bin, where pg_ctl and postgres are.
    private static string ResolveLink(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
