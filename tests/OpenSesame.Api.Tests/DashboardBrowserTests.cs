using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpenSesame.Api.Tests.Security;
using OpenSesame.Predictor.Routing;

namespace OpenSesame.Api.Tests;

/// <summary>The browser of <see cref="PlaygroundBrowser"/>, and a service that has answered some predictions, started
/// on first use and shared by the tests that only read it.</summary>
public sealed class DashboardBrowser : IAsyncLifetime
{
    /// <summary>Budgets small enough for the seeded spend to show against their lines.</summary>
    public static readonly Dictionary<string, string?> Budgets = new()
    {
        ["Routing:MonthlyBudgetUsd"] = "0.5",
        ["Routing:DailyBudgetUsd"] = "0.05",
    };

    /// <summary>The dollars <see cref="SeedAsync"/> puts in the ledger over the last days.</summary>
    public const decimal SeededSpendUsd = 0.0021m + 0.0072m + 0.0066m + 0.0019m;

    /// <summary>Predictions in the ledger after <see cref="SeedAsync"/>: three answered, five seeded.</summary>
    public const int SeededPredictions = 8;

    private string? _seeded;

    public PlaygroundBrowser Browser { get; } = new();

    public ValueTask InitializeAsync() => Browser.InitializeAsync();

    public ValueTask DisposeAsync() => Browser.DisposeAsync();

    /// <summary>The root of a service (no keys, <see cref="Budgets"/>) after <see cref="SeedAsync"/>.</summary>
    public async Task<string> SeededRootAsync()
    {
        if (_seeded is null)
        {
            var factory = Browser.StartFactory(Budgets);
            var root = PlaygroundBrowser.RootOf(factory);
            using var client = new HttpClient { BaseAddress = new Uri(root) };
            await SeedAsync(client, factory);
            _seeded = root;
        }

        return _seeded;
    }

    /// <summary>Three real predictions on the billing sample (local, at no cost; their histories teach the service the
    /// spec's usage), and five ledger entries as LLM-routed predictions leave them (no LLM is reachable here): four
    /// paid, one a cache hit, today and on two earlier days.</summary>
    public static async Task SeedAsync(HttpClient client, ApiFactory factory)
    {
        await AdminCalls.PredictAsync(client, "s-1", "GET /v1/invoices");
        await AdminCalls.PredictAsync(client, "s-1", "GET /v1/invoices", "GET /v1/invoices/in_1");
        await AdminCalls.PredictAsync(client, "s-2", "GET /v1/invoices");

        var ledger = factory.Services.GetRequiredService<ICostLedger>();
        var now = DateTimeOffset.UtcNow;
        CostEntry[] entries =
        [
            new(now.AddSeconds(-3), "llm-1", "ana", "s-a", "claude-3-5-haiku", 1200, 150, 0.0021m, false),
            new(now.AddSeconds(-2), "llm-2", "ana", "s-a", "claude-3-5-sonnet", 1500, 180, 0.0072m, false),
            new(now.AddSeconds(-1), "llm-3", "ben", "s-b", "claude-3-5-haiku", 0, 0, 0m, true),
            new(now.AddDays(-1), "llm-4", "ben", "s-c", "claude-3-5-sonnet", 1400, 160, 0.0066m, false),
            new(now.AddDays(-3), "llm-5", "cy", "s-d", "claude-3-5-haiku", 1100, 140, 0.0019m, false),
        ];
        foreach (var entry in entries)
        {
            await ledger.RecordAsync(entry, TestContext.Current.CancellationToken);
        }
    }
}

public sealed class DashboardBrowserTests(DashboardBrowser fixture) : IClassFixture<DashboardBrowser>
{
    private PlaygroundBrowser Browser => fixture.Browser;

    private async Task<IPage> OpenAsync(string root, int width = 1280, int height = 800)
    {
        var context = await (await Browser.BrowserAsync()).NewContextAsync(new() { ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync(root + "/dashboard");
        return page;
    }

    /// <summary>What the page's Content-Security-Policy refused: the vendored library must need nothing it forbids.</summary>
    private static List<string> CollectRefusals(IPage page)
    {
        var refusals = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.Ordinal))
            {
                refusals.Add(message.Text);
            }
        };
        return refusals;
    }

    private static Task<double> SumOfAsync(IPage page, string chart, string dataset) => page.EvaluateAsync<double>(
        "([chart, label]) => Chart.getChart(chart).data.datasets.find(d => d.label === label).data.reduce((a, b) => a + (b ?? 0), 0)",
        new[] { chart, dataset });

    [Fact]
    public async Task AfterSomePredictionsTheDashboardDrawsTheChartsAndShowsTheSpendAndModelFigures()
    {
        var root = await fixture.SeededRootAsync();
        var page = await OpenAsync(root);
        var refusals = CollectRefusals(page);
        await page.ReloadAsync();

        await Assertions.Expect(page).ToHaveURLAsync(root + "/playground/dashboard.html");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Updated at");
        await Assertions.Expect(page.Locator("#figures")).ToContainTextAsync("of the $0.50 monthly budget");
        await Assertions.Expect(page.Locator("#figures")).ToContainTextAsync("Cache hit rate");
        await Assertions.Expect(page.Locator("#models-table")).ToContainTextAsync("local");
        await Assertions.Expect(page.Locator("#models-table")).ToContainTextAsync("claude-3-5-haiku");
        await Assertions.Expect(page.Locator("#serving")).ToContainTextAsync("heuristic");
        await Assertions.Expect(page.Locator("#usage-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#users-table")).ToContainTextAsync("ana");
        await Assertions.Expect(page.Locator("#error")).ToBeHiddenAsync();

        // Drawn by Chart.js, from the service's numbers: every seeded dollar and prediction of the last 30 days.
        Assert.Equal(DashboardBrowser.SeededPredictions, await SumOfAsync(page, "daily-chart", "Predictions"));
        Assert.Equal((double)DashboardBrowser.SeededSpendUsd, await SumOfAsync(page, "daily-chart", "Spend (USD)"), 9);
        Assert.Equal(30 * 0.05, await SumOfAsync(page, "daily-chart", "Daily budget"), 9);
        Assert.Contains("local", await page.EvaluateAsync<string[]>("() => Chart.getChart('models-chart').data.labels"));
        var painted = await page.EvaluateAsync<int>("""
            () => {
              const canvas = document.getElementById('daily-chart');
              const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
              let painted = 0;
              for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
              return painted;
            }
            """);
        Assert.True(painted > 1000, $"The spend chart's canvas has {painted} painted pixels.");
        Assert.Empty(refusals);
        if (PlaygroundBrowser.ScreenshotFolder is { } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard.png") });
        }
    }

    [Fact]
    public async Task WithKeysConfiguredAPredictOnlyKeyIsRefusedWithAMessageAndAnAdminKeyShowsTheData()
    {
        var factory = Browser.StartFactory(TestKeys.Settings());
        using (var client = new HttpClient { BaseAddress = new Uri(PlaygroundBrowser.RootOf(factory)) })
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", TestKeys.Alice);
            await AdminCalls.PredictAsync(client, "s-1", "GET /v1/invoices");
        }

        var page = await OpenAsync(PlaygroundBrowser.RootOf(factory));
        var error = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(error).ToContainTextAsync("An API key with the admin role is needed (401)");
        await Assertions.Expect(page.Locator("#daily-status")).ToHaveTextAsync("Not loaded: see the message above.");

        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(TestKeys.Alice);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        await Assertions.Expect(error).ToContainTextAsync("This key may not see the dashboard (403)");
        await Assertions.Expect(error).ToContainTextAsync("The key of alice lacks the role this route needs (admin)");
        await Assertions.Expect(page.Locator("#figures > div")).ToHaveCountAsync(0);

        await page.GetByLabel("Key", new() { Exact = true }).FillAsync(TestKeys.Root);
        await page.GetByRole(AriaRole.Button, new() { Name = "Use key" }).ClickAsync();
        await Assertions.Expect(error).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#models-table")).ToContainTextAsync("local");
        Assert.Equal(1, await SumOfAsync(page, "daily-chart", "Predictions"));
    }

    [Fact]
    public async Task AServiceWithNoPredictionsYetSaysSoInsteadOfABlankPage()
    {
        var page = await OpenAsync(Browser.StartService());

        await Assertions.Expect(page.Locator("#figures-status")).ToHaveTextAsync("No predictions this month yet: the figures and charts fill in as the service answers.");
        await Assertions.Expect(page.Locator("#models-status")).ToHaveTextAsync("No predictions this month yet.");
        await Assertions.Expect(page.Locator("#usage-status")).ToContainTextAsync("Nothing learned yet");
        await Assertions.Expect(page.Locator("#serving-status")).ToContainTextAsync("The heuristic has no training metrics.");
        await Assertions.Expect(page.Locator("#error")).ToBeHiddenAsync();
    }

    [Fact]
    public async Task TooManyRequestsAreShownWithTheWait()
    {
        // The page asks four routes at once; the limit lets two through.
        var page = await OpenAsync(Browser.StartService(new Dictionary<string, string?> { ["Security:RateLimit:PermitLimit"] = "2" }));

        var error = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(error).ToContainTextAsync("Too many requests (429)");
        await Assertions.Expect(error).ToContainTextAsync("Try again in");
        await Assertions.Expect(page.Locator("#status")).ToHaveTextAsync("2 of 4 parts could not be loaded: see the message above.");
    }

    [Fact]
    public async Task FitsAPhoneWidthWindowWithoutScrollingSideways()
    {
        var page = await OpenAsync(await fixture.SeededRootAsync(), width: 390, height: 844);

        await Assertions.Expect(page.Locator("#usage-table tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#models-table")).ToContainTextAsync("local");

        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.True(overflow <= 0, $"The page is {overflow} px wider than a 390 px window.");
        var chartWidth = await page.EvaluateAsync<int>("() => document.getElementById('daily-chart').getBoundingClientRect().width");
        Assert.InRange(chartWidth, 200, 390);
        if (PlaygroundBrowser.ScreenshotFolder is { } folder)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, "dashboard-phone.png"), FullPage = true });
        }
    }

    [Fact]
    public async Task CanBeUsedWithTheKeyboardAlone()
    {
        var page = await OpenAsync(await fixture.SeededRootAsync());
        await Assertions.Expect(page.Locator("#usage-table tbody tr")).ToHaveCountAsync(1);

        // From the key: Enter uses it, Tab reaches "Use key" and then "Refresh".
        await page.GetByLabel("Key", new() { Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#status")).ToContainTextAsync("Updated at");
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("save-key", await page.EvaluateAsync<string>("() => document.activeElement.id"));
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("refresh", await page.EvaluateAsync<string>("() => document.activeElement.id"));

        // The budget line goes with Space on its checkbox, and the steps of a spec open with Enter.
        await page.Locator("#month-budget-shown").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        Assert.False(await page.EvaluateAsync<bool>("() => Chart.getChart('month-chart').isDatasetVisible(2)"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Show the most frequent steps" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#steps-table")).ToContainTextAsync("GET /v1/invoices");
    }
}
