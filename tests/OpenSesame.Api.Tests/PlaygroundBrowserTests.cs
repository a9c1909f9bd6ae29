using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenSesame.Api.Tests.Security;

namespace OpenSesame.Api.Tests;

/// <summary>
/// The service on a real loopback socket (a browser cannot reach an in-memory test server) and Debian's chromium driven
/// by Playwright. No browser can be downloaded here, so Playwright starts the system's: without /usr/bin/chromium these
/// tests are skipped on a developer's machine and fail in CI (CI=true), where .ci/run installs it.
/// </summary>
public sealed class PlaygroundBrowser : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    // Without the background-networking flags chromium keeps trying Google's hosts, which this machine's closed network
    // refuses many times a second.
    private static readonly string[] ChromiumFlags =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private readonly List<ApiFactory> _services = [];
    private string? _root;
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>Where <see cref="PlaygroundBrowserTests"/> save the README's screenshots, when set
    /// (PLAYGROUND_SCREENSHOTS=docs); unset, none are written, so a test run never changes the repository.</summary>
    public static string? ScreenshotFolder => Environment.GetEnvironmentVariable("PLAYGROUND_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder, ApiFactory.RepoRoot)
        : null;

    public ValueTask InitializeAsync()
    {
        // A fresh service's first prediction loads the embedding model, on a machine the other test classes keep busy:
        // Playwright's 5 s would fail a page that is only slow.
        Assertions.SetDefaultExpectTimeout(60_000);
        return ValueTask.CompletedTask;
    }

    /// <summary>The browser, started on first use; skips the test, or fails it in CI, when chromium is not installed.</summary>
    public async Task<IBrowser> BrowserAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            var message = $"{ChromiumPath} is not installed, so the playground's browser tests cannot run: "
                          + "apt-get install -y chromium (.ci/run does).";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }

            Assert.Skip(message);
        }

        _playwright ??= await Playwright.CreateAsync();
        return _browser ??= await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumFlags,
        });
    }

    /// <summary>The service the tests share (without keys), started on first use.</summary>
    public string Root => _root ??= StartService();

    /// <summary>Starts a service listening on 127.0.0.1 and a port of its choosing, and gives its root address.</summary>
    public string StartService(IReadOnlyDictionary<string, string?>? settings = null) => RootOf(StartFactory(settings));

    /// <summary>Starts a service like <see cref="StartService"/>, and gives its factory, whose services a test may
    /// reach (to put entries in its ledger).</summary>
    public ApiFactory StartFactory(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        // The tests share one client address; they test the page, not the limit (unless one says otherwise).
        all.TryAdd("Security:RateLimit:PermitLimit", "1000");
        var factory = new ApiFactory(all);
        _services.Add(factory);
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        return factory;
    }

    public static string RootOf(ApiFactory factory) =>
        factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        foreach (var service in _services)
        {
            await service.DisposeAsync();
        }
    }
}

public sealed class PlaygroundBrowserTests(PlaygroundBrowser browser) : IClassFixture<PlaygroundBrowser>
{
    private string Root => browser.Root;

    private async Task<IPage> OpenAsync(int width = 1280, int height = 800, string? root = null)
    {
        var context = await (await browser.BrowserAsync()).NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync((root ?? Root) + "/");
        return page;
    }

    private static async Task PredictOnTheSampleAsync(IPage page)
    {
        await Assertions.Expect(page.GetByLabel("Sample spec")).ToContainTextAsync("billing.yaml");
        await page.GetByLabel("Prompt (optional)").FillAsync("Let's finish billing for Q2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Predict", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#predictions > li")).ToHaveCountAsync(5);
    }

    [Fact]
    public async Task ThePageLoadsFromTheRootWithTheSampleSpecsAndNoError()
    {
        var page = await OpenAsync();

        await Assertions.Expect(page).ToHaveURLAsync(Root + "/playground/");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("OpenSesame");
        await Assertions.Expect(page.GetByLabel("Sample spec")).ToContainTextAsync("specs/billing.yaml");
        await Assertions.Expect(page.Locator("#error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task APredictionOnASampleSpecShowsFiveRowsWithScoresReasonsAndTimings()
    {
        var page = await OpenAsync();

        await PredictOnTheSampleAsync(page);

        var first = page.Locator("#predictions > li").First;
        await Assertions.Expect(first.Locator(".endpoint")).ToContainTextAsync("/v1/");
        await Assertions.Expect(first.Locator(".score .bar")).ToBeVisibleAsync();
        await Assertions.Expect(first.Locator(".why")).Not.ToBeEmptyAsync();
        await Assertions.Expect(page.Locator("#stages li").First).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#route")).ToContainTextAsync("cost");
        await Assertions.Expect(page.Locator("#error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task NextGrowsTheHistoryWithTheChosenCallAndPredictsAgain()
    {
        var page = await OpenAsync();
        // The samples arrive after the page: clicked before them, "Load operations" has no spec to load.
        await Assertions.Expect(page.GetByLabel("Sample spec")).ToContainTextAsync("billing.yaml");
        await page.GetByRole(AriaRole.Button, new() { Name = "Load operations" }).ClickAsync();
        await page.GetByLabel("Search the spec's operations").FillAsync("list invoices");
        await page.Locator("#operations button").First.ClickAsync();
        await Assertions.Expect(page.Locator("#history > li")).ToHaveCountAsync(1);
        await PredictOnTheSampleAsync(page);
        var chosen = await page.Locator("#predictions > li .endpoint").First.TextContentAsync();

        await page.Locator("#predictions > li").First.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();

        await Assertions.Expect(page.Locator("#history > li")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#results-status")).ToContainTextAsync($"Added {chosen} to the history. Recorded as accepted.");
        await Assertions.Expect(page.Locator("#predictions > li")).ToHaveCountAsync(5);
        if (PlaygroundBrowser.ScreenshotFolder is { } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "playground.png") });
        }
    }

    [Fact]
    public async Task ABadSpecShowsItsErrorInThePage()
    {
        var page = await OpenAsync();

        await page.GetByLabel("Paste or upload").CheckAsync();
        await page.GetByLabel("OpenAPI document (JSON or YAML)").FillAsync("just: some yaml");
        await page.GetByRole(AriaRole.Button, new() { Name = "Load operations" }).ClickAsync();

        var error = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync("422");
        await Assertions.Expect(error).ToContainTextAsync("The spec could not be used.");
    }

    [Fact]
    public async Task ABadKShowsTheProblemDetailsNamingTheField()
    {
        var page = await OpenAsync();
        await Assertions.Expect(page.GetByLabel("Sample spec")).ToContainTextAsync("billing.yaml");

        // The number field's own limits would stop a person; the service must still be the one that says why.
        await page.Locator("#k").EvaluateAsync("k => { k.removeAttribute('max'); k.value = '99'; }");
        await page.GetByRole(AriaRole.Button, new() { Name = "Predict", Exact = true }).ClickAsync();

        var error = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(error).ToContainTextAsync("400");
        await Assertions.Expect(error.Locator("code")).ToHaveTextAsync("k");
    }

    [Fact]
    public async Task WithKeysConfiguredThePageAsksForAKeyAndPredictsOnceOneIsEntered()
    {
        var root = browser.StartService(TestKeys.Settings());
        var page = await OpenAsync(root: root);
        await Assertions.Expect(page.Locator("#spec-status")).ToContainTextAsync("needs an API key");

        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(TestKeys.Alice);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();

        await PredictOnTheSampleAsync(page);
        await page.Locator("#predictions > li").First.GetByRole(AriaRole.Button, new() { Name = "Next" }).ClickAsync();
        // Alice may predict but not give feedback: the history grows all the same.
        await Assertions.Expect(page.Locator("#results-status")).ToContainTextAsync("The outcome was not recorded (403).");
    }

    [Fact]
    public async Task FitsAPhoneWidthWindowWithoutScrollingSideways()
    {
        var page = await OpenAsync(width: 390, height: 844);

        await PredictOnTheSampleAsync(page);

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The page is {overflow} px wider than a 390 px window.");
        if (PlaygroundBrowser.ScreenshotFolder is { } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "playground-phone.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task CanBeUsedWithTheKeyboardAlone()
    {
        var page = await OpenAsync();
        await Assertions.Expect(page.GetByLabel("Sample spec")).ToContainTextAsync("billing.yaml");

        await page.GetByLabel("Prompt (optional)").FocusAsync();
        await page.Keyboard.TypeAsync("finalize the invoice");
        await page.Keyboard.PressAsync("Control+Enter");
        await Assertions.Expect(page.Locator("#predictions > li")).ToHaveCountAsync(5);

        // Tab from the prompt reaches k, then Predict; every "Next" is a real button in the tab order.
        await page.GetByLabel("Prompt (optional)").FocusAsync();
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("k", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("predict", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Locator("#predictions .next").First.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#history > li")).ToHaveCountAsync(1);
    }
}
