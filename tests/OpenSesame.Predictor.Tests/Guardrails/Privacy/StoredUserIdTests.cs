using OpenSesame.Predictor.Context;
using OpenSesame.Predictor.Guardrails.Privacy;
using OpenSesame.Testing;

namespace OpenSesame.Predictor.Tests.Guardrails.Privacy;

public sealed class StoredUserIdTests
{
    private static PredictionContext ContextOf(string? userId) => PredictionContext.Create(TestSpecs.Billing, [], null,
        DateTimeOffset.UnixEpoch, requester: new Requester(userId, "s-1"));

    [Fact]
    public void AnIdThatIsAnEmailAddressIsStoredAsItsPseudonymAndAnyOtherAsSent()
    {
        Assert.Equal(StoredUserId.Prefix + "86e0b9e56c17cc4d", StoredUserId.Of("jane.doe@example.com"));
        Assert.Equal("u-42", StoredUserId.Of("u-42"));
        Assert.Null(StoredUserId.Of(null));
    }

    [Fact]
    public void APredictionWorksOutItsStoredUserIdOnceForAllItsRecords()
    {
        var context = ContextOf("jane.doe@example.com");

        var first = context.StoredUserId;

        Assert.Equal(StoredUserId.Of("jane.doe@example.com"), first);
        // The same string, not an equal one made again: the detector ran once.
        Assert.Same(first, context.StoredUserId);
        Assert.Equal("u-42", ContextOf("u-42").StoredUserId);
    }
}
