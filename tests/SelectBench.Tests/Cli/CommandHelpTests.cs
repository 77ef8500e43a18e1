using System.Reflection;
using SelectBench.Cli;
using SelectBench.Cli.Commands;
using Spectre.Console.Cli;

namespace SelectBench.Tests.Cli;

/// <summary>Every command answers --help with its options, and the old names (kept for one release) run the same commands.</summary>
public class CommandHelpTests
{
    private static readonly IReadOnlyList<(Type Command, CliCommandAttribute Attribute)> Commands =
        typeof(RunCommand).Assembly.GetTypes()
            .Select(t => (t, t.GetCustomAttribute<CliCommandAttribute>()))
            .Where(x => x.Item2 is not null)
            .Select(x => (x.t, x.Item2!))
            .ToList();

    public static TheoryData<string> CommandNames()
    {
        var data = new TheoryData<string>();
        foreach (var (_, attr) in Commands) data.Add(attr.Name);
        return data;
    }

    [Theory]
    [MemberData(nameof(CommandNames))]
    public void HelpWorksAndListsTheCommandsOptions(string name)
    {
        var (code, output) = CliHost.Run([.. name.Split(' '), "--help"]);
        Assert.Equal(0, code);
        Assert.Contains("USAGE", output);
        foreach (var option in Options(Commands.Single(c => c.Attribute.Name == name).Command))
            Assert.Contains(option, output);
    }

    [Theory]
    [InlineData("eval", "evaluate")]
    [InlineData("analyze", "analyse")]
    public void AnOldNameIsAnAliasOfTheCommand(string alias, string name)
    {
        var command = Commands.Single(c => c.Attribute.Name == name);
        Assert.Contains(alias, command.Attribute.Aliases);
        var (code, output) = CliHost.Run(alias, "--help");
        Assert.Equal(0, code);
        foreach (var option in Options(command.Command))
            Assert.Contains(option, output);
        // Only one command has the name: an alias is not a second command.
        Assert.DoesNotContain(Commands, c => c.Attribute.Name == alias);
    }

    [Fact]
    public void EveryAliasResolvesAndNoNameIsTakenTwice()
    {
        var names = Commands.SelectMany(c => c.Attribute.Aliases.Append(c.Attribute.Name)).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        foreach (var (_, attr) in Commands)
            foreach (var alias in attr.Aliases)
                Assert.Equal(0, CliHost.Run(alias, "--help").Code);
    }

    [Fact]
    public void TheTopLevelHelpListsTheCommands()
    {
        var (code, output) = CliHost.Run("--help");
        Assert.Equal(0, code);
        foreach (var name in new[] { "analyse", "curate", "evaluate", "job", "run", "status", "train", "world" })
            Assert.Contains(name, output);
    }

    [Fact]
    public void SharedHelpTextsMatchTheLibraryWithMarkupEscaped()
    {
        // Spectre reads '[' in a description as markup: an unescaped "pca[:K]" made `evaluate --help` throw.
        Assert.Equal(HelpText.Encoder, Spectre.Console.Markup.Escape(SelectBench.Encoders.EncoderSpec.Help));
    }

    /// <summary>The long option names of a command's settings, e.g. "--out".</summary>
    private static IEnumerable<string> Options(Type command)
    {
        var settings = command.BaseType!.GetGenericArguments()[0];
        return settings.GetProperties()
            .Select(p => p.GetCustomAttribute<CommandOptionAttribute>())
            .OfType<CommandOptionAttribute>()
            .Where(o => !o.IsHidden)
            .SelectMany(o => o.LongNames.Select(n => "--" + n));
    }
}
