using SelectBench.Cli;
using SelectBench.Cli.Commands;
using SelectBench.Common;
using Spectre.Console.Cli;

namespace SelectBench.Tests.Data;

public class DataInfoCommandTests
{
    private static int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            CommandRegistry.Register(config, typeof(DataInfoCommand).Assembly);
        });
        return app.Run(args);
    }

    [Fact]
    public void WritesTheGridForAnImageFolderWithSkips()
    {
        using var tmp = new TempFolder();
        var root = tmp.File("tree");
        Directory.CreateDirectory(Path.Combine(root, "red"));
        Directory.CreateDirectory(Path.Combine(root, "blue"));
        File.WriteAllBytes(Path.Combine(root, "red", "1.png"), Fixtures.Png(10, 10, 255, 0, 0));
        File.WriteAllBytes(Path.Combine(root, "blue", "2.png"), Fixtures.Png(12, 12, 0, 0, 255));
        File.WriteAllBytes(Path.Combine(root, "blue", "3.png"), "bad"u8.ToArray());
        var grid = tmp.File("grid.png");
        Assert.Equal(0, Run("data", "info", root, "--grid", grid, "--per-class", "2", "--resize", "8", "--on-bad-input", "skip", "--no-cache"));
        Assert.True(new FileInfo(grid).Length > 100);
        using var bitmap = SkiaSharp.SKBitmap.Decode(grid);
        Assert.NotNull(bitmap);
    }

    [Fact]
    public void UserMistakesAreOneLineErrors()
    {
        var e = Assert.Throws<SelectBenchException>(() => Run("data", "info", "fashion-mnist", "--on-bad-input", "ignore"));
        Assert.Contains("--on-bad-input", e.Message);
        Assert.True(CommandRegistry.IsUserError(e));
        var e2 = Assert.Throws<SelectBenchException>(() => Run("data", "info", "/no/such/place"));
        Assert.DoesNotContain('\n', CommandRegistry.UserMessage(e2));
    }
}
