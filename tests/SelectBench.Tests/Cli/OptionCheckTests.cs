using System.Reflection;
using SelectBench.Cli;
using SelectBench.Cli.Commands;
using Spectre.Console.Cli;

namespace SelectBench.Tests.Cli;

/// <summary>Unknown options and numbers that do not parse are refused with exit 2 before a command runs (issue 12, item 1).</summary>
public class OptionCheckTests
{
    private static readonly Assembly Commands = typeof(RunCommand).Assembly;

    public static TheoryData<string> CommandNames()
    {
        var data = new TheoryData<string>();
        foreach (var attr in Commands.GetTypes().Select(t => t.GetCustomAttribute<CliCommandAttribute>()).OfType<CliCommandAttribute>())
            data.Add(attr.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void EveryCommandRefusesAnUnknownOptionAndSuggestsTheNearest(string name)
    {
        var type = Commands.GetTypes().Single(t => t.GetCustomAttribute<CliCommandAttribute>()?.Name == name);
        var options = type.BaseType!.GetGenericArguments()[0].GetProperties()
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>()).OfType<CommandOptionAttribute>()
            .SelectMany(o => o.LongNames).ToList();
        var (code, _, error) = CliHost.RunAsProgram([.. name.Split(' '), "--bogus-flag"]);
        Assert.Equal(2, code);
        Assert.Contains("has no option --bogus-flag", error);
        if (options.FirstOrDefault(o => o.Length >= 4) is not { } option) return; // list, report, status: no options to suggest
        // A typo: the last letter dropped.
        (code, _, error) = CliHost.RunAsProgram([.. name.Split(' '), "--" + option[..^1], "1"]);
        Assert.Equal(2, code);
        Assert.Contains("Did you mean --", error);
        Assert.Contains(option, error);
    }

    [Theory]
    [InlineData("train --batch 7 --data fashion-mnist --out unused", "--batch-size")]
    [InlineData("train --epoch 3 --data fashion-mnist --out unused", "--epochs")]
    [InlineData("data info --gird g.png fashion-mnist", "--grid")]
    [InlineData("run --paralel 1 --profile tiny --out unused", "--parallel")]
    public void TheIssuesTyposAreRefusedWithTheIntendedName(string line, string intended)
    {
        var (code, output, error) = CliHost.RunAsProgram(line.Split(' '));
        Assert.Equal(2, code);
        Assert.Contains($"Did you mean {intended}?", error);
        Assert.Equal("", output);
    }

    [Fact]
    public void ANumberThatDoesNotParseNamesTheOptionAndTheType()
    {
        var (code, _, error) = CliHost.RunAsProgram("train", "--epochs", "ten", "--data", "fashion-mnist", "--out", "unused");
        Assert.Equal(2, code);
        Assert.Contains("--epochs: 'ten' is not an integer", error);
        Assert.DoesNotContain("Nullable", error);
        (_, _, error) = CliHost.RunAsProgram("train", "--lr=fast", "--data", "fashion-mnist", "--out", "unused");
        Assert.Contains("--lr: 'fast' is not a number", error);
    }

    [Fact]
    public void ValidLinesPass()
    {
        // Negative values, --name=value, short names, arguments that look like paths, and everything after "--".
        OptionCheck.Check(["train", "--lr", "-0.5", "--data=fashion-mnist", "--out", "-odd-folder", "--grey"], Commands);
        OptionCheck.Check(["curate", "-n", "100"], Commands);
        OptionCheck.Check(["data", "info", "fashion-mnist:test", "--per-class", "3"], Commands);
        OptionCheck.Check(["eval", "--model", "m.ckpt"], Commands); // an alias
        OptionCheck.Check(["train", "--help"], Commands);
        OptionCheck.Check(["no-such-command", "--x"], Commands); // Spectre reports the command
    }
}
