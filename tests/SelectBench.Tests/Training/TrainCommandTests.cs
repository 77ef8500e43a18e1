using System.Text.Json;
using SelectBench.Cli;
using SelectBench.Cli.Commands;
using SelectBench.Data;
using Spectre.Console.Cli;

namespace SelectBench.Tests.Training;

public sealed class TrainCommandTests
{
    private static int Run(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(c =>
        {
            c.PropagateExceptions();
            CommandRegistry.Register(c, typeof(TrainCommand).Assembly);
        });
        return app.Run(args);
    }

    [Fact]
    public void Train_then_eval_from_the_command_line_writes_top1()
    {
        SelectBench.Common.ProgressBar.Enabled = false;  // keep test output clean
        var root = TinyData.TempFolder("cli");
        string trainDir = Path.Combine(root, "train"), testDir = Path.Combine(root, "test"), outDir = Path.Combine(root, "run");
        ImageSetStore.Save(TinyData.Blocks(100, 1, size: 8), trainDir);
        ImageSetStore.Save(TinyData.Blocks(40, 2, size: 8), testDir);
        var recipe = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(recipe, "width: 0.25\nbatch_size: 20\nlearning_rate: 0.05\nwarmup_epochs: 0\naugmentation:\n  crop: none\n  horizontal_flip: false\n");

        Assert.Equal(0, Run("train", "--data", trainDir, "--test", testDir, "--recipe", recipe, "--epochs", "2", "--subset", "50", "--threads", "1", "--out", outDir));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        double top1 = metrics.RootElement.GetProperty("top1").GetDouble();
        Assert.InRange(top1, 0, 1);
        Assert.Equal(50, metrics.RootElement.GetProperty("train_images").GetInt32());
        Assert.Equal(40, metrics.RootElement.GetProperty("test_images").GetInt32());

        var evalDir = Path.Combine(root, "eval");
        Assert.Equal(0, Run("eval", "--model", Path.Combine(outDir, "checkpoint.ckpt"), "--data", testDir, "--out", evalDir));
        using var eval = JsonDocument.Parse(File.ReadAllText(Path.Combine(evalDir, "metrics.json")));
        // The same checkpoint on the same test images gives the same top-1 in both commands.
        Assert.Equal(top1, eval.RootElement.GetProperty("top1").GetDouble());
    }
}
