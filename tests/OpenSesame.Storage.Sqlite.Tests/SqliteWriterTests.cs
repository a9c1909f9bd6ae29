using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using OpenSesame.Predictor.Storage;

namespace OpenSesame.Storage.Sqlite.Tests;

/// <summary>The connection a prediction's writes share, on a real SQLite file: statements kept, failures cleaned up.</summary>
public sealed class SqliteWriterTests : IDisposable
{
    private const string Insert = "INSERT INTO notes (text) VALUES ($text)";

    private readonly string _folder = Directory.CreateTempSubdirectory("opensesame-writer-").FullName;
    private readonly SqliteDatabase _database;

    public SqliteWriterTests()
    {
        _database = new SqliteDatabase(Options.Create(new StorageOptions { DataDirectory = _folder }));
    }

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private SqliteWriter Writer => _database.Writer;

    [Fact]
    public async Task AStatementIsCompiledOnceAndKeptForTheNextWrite()
    {
        await CreateNotesAsync();

        var first = await Writer.RunAsync(writer => Task.FromResult(writer.Command(Insert)), Cancel);
        var second = await Writer.RunAsync(writer => Task.FromResult(writer.Command(Insert)), Cancel);

        Assert.Same(first, second);
    }

    [Fact]
    public async Task EachUseOfAStatementStartsWithoutTheParametersOfTheLast()
    {
        await CreateNotesAsync();
        await AddNoteAsync("a");

        var command = await Writer.RunAsync(writer => Task.FromResult(writer.Command(Insert)), Cancel);

        Assert.Empty(command.Parameters);
    }

    [Fact]
    public async Task AWriteThatFailsRollsItsTransactionBackAndTheNextWriteWorks()
    {
        await CreateNotesAsync();

        await Assert.ThrowsAsync<SqliteException>(() => Writer.RunAsync(async writer =>
        {
            await writer.BeginAsync(Cancel);
            await ExecuteAsync(writer.Command(Insert), "lost");
            await ExecuteAsync(writer.Command("INSERT INTO no_such_table VALUES (1)"), null);
        }, Cancel));
        await AddNoteAsync("kept");

        Assert.Equal(["kept"], await NotesAsync());
    }

    [Fact]
    public async Task AWriteThatLeavesItsTransactionOpenIsRolledBackAndReported()
    {
        await CreateNotesAsync();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Writer.RunAsync(async writer =>
        {
            await writer.BeginAsync(Cancel);
            await ExecuteAsync(writer.Command(Insert), "uncommitted");
        }, Cancel));

        Assert.Contains("transaction open", error.Message, StringComparison.Ordinal);
        Assert.Empty(await NotesAsync());
    }

    // The record writer drains its queue when the host is disposed, possibly after the database: nothing is lost.
    [Fact]
    public async Task AWriteAfterTheDatabaseWasDisposedOpensTheConnectionAgain()
    {
        await CreateNotesAsync();
        var before = await Writer.RunAsync(writer => Task.FromResult(writer.Command(Insert)), Cancel);

        _database.Dispose();
        await AddNoteAsync("late");

        Assert.Equal(["late"], await NotesAsync());
        Assert.NotSame(before, await Writer.RunAsync(writer => Task.FromResult(writer.Command(Insert)), Cancel));
    }

    public void Dispose()
    {
        _database.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private Task<int> CreateNotesAsync() =>
        Writer.RunAsync(writer => writer.Command("CREATE TABLE notes (text TEXT NOT NULL)").ExecuteNonQueryAsync(Cancel), Cancel);

    private Task<int> AddNoteAsync(string text) => Writer.RunAsync(writer => ExecuteAsync(writer.Command(Insert), text), Cancel);

    private static Task<int> ExecuteAsync(SqliteCommand command, string? text)
    {
        if (text is not null)
        {
            command.Parameters.AddWithValue("$text", text);
        }

        return command.ExecuteNonQueryAsync(Cancel);
    }

    // Read on a connection of its own: what another process would see.
    private async Task<List<string>> NotesAsync()
    {
        await using var connection = await _database.OpenAsync(Cancel);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT text FROM notes ORDER BY rowid";
        await using var reader = await command.ExecuteReaderAsync(Cancel);
        var notes = new List<string>();
        while (await reader.ReadAsync(Cancel))
        {
            notes.Add(reader.GetString(0));
        }

        return notes;
    }
}
