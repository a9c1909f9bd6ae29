using OpenSesame.Evaluation;

namespace OpenSesame.Evaluation.Tests;

public sealed class EvalSpecCatalogsTests
{
    [Fact]
    public void ParsesEachSpecOnceWhateverTheSpecInstance()
    {
        using var temp = new TempFolder();
        var path = temp.Write("pets.yaml", Specs.Pets);
        var catalogs = new EvalSpecCatalogs();

        var first = catalogs.Get(EvalSpec.FromFile(path));
        var second = catalogs.Get(new EvalSpec("another name", path, null));
        var inline = catalogs.Get(new EvalSpec("inline", null, Specs.Pets));

        Assert.Same(first, second);
        Assert.Same(inline, catalogs.Get(new EvalSpec("inline again", null, Specs.Pets)));
        Assert.Equal(2, catalogs.Count);
    }

    [Fact]
    public void MissingSpecFileIsNamedInTheError()
    {
        using var temp = new TempFolder();
        var path = temp.PathOf("gone.yaml");

        var error = Assert.Throws<EvalDataException>(() => new EvalSpecCatalogs().Get(EvalSpec.FromFile(path)));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADocumentThatIsNoSpecIsNamedInTheError()
    {
        var error = Assert.Throws<EvalDataException>(() => new EvalSpecCatalogs().Get(new EvalSpec("not a spec", null, "{\"hello\": 1}")));

        Assert.Contains("not a spec", error.Message, StringComparison.Ordinal);
    }
}
