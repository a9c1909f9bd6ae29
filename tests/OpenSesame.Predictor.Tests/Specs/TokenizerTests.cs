using OpenSesame.Predictor.Specs;

namespace OpenSesame.Predictor.Tests.Specs;

public sealed class TokenizerTests
{
    [Theory]
    [InlineData("postMessage", "post message")]
    [InlineData("list_invoice_items", "list invoice items")]
    [InlineData("HTTPServerError", "http server error")]
    [InlineData("chat.postMessage", "chat post message")]
    [InlineData("/v1/invoices/{invoice}/line-items", "v1 invoices invoice line items")]
    [InlineData("repos/list-for-org", "repos list for org")]
    public void SplitsIdentifiersAtTheirNaturalBoundaries(string text, string words) =>
        Assert.Equal(words.Split(' '), Tokenizer.Words(text));

    [Theory]
    [InlineData("invoices", "invoice")]
    [InlineData("invoicing", "invoice")]
    [InlineData("invoiced", "invoice")]
    [InlineData("policies", "policy")]
    [InlineData("boxes", "box")]
    [InlineData("status", "status")]
    [InlineData("address", "address")]
    public void StemsInflectionsOfAWordToTheSameTerm(string word, string sameAs) =>
        Assert.Equal(Tokenizer.Stem(sameAs), Tokenizer.Stem(word));

    [Fact]
    public void TermsDropStopWordsButKeepVerbs() =>
        Assert.Equal(["finish", "bill", "q2"], Tokenizer.Terms("Let's finish the billing for Q2"));
}
