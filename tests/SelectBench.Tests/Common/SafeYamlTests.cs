using System.Text;
using SelectBench.Common;

namespace SelectBench.Tests.Common;

public class SafeYamlTests
{
    [Fact]
    public void PlainValuesParseAsTheUntypedDeserialiserGaveThem()
    {
        var map = SafeYaml.ParseMapping("""
            a: 1
            b: "null"
            c:
            d: ~
            e: [x, 'y', 2.5]
            f: { g: true }
            h: &anchor { i: 1 }
            j: *anchor
            """, "t.yaml");
        Assert.Equal(["a", "b", "c", "d", "e", "f", "h", "j"], map.Keys);
        Assert.Equal("1", map["a"]);
        Assert.Equal("null", map["b"]); // quoted: text
        Assert.Null(map["c"]);
        Assert.Null(map["d"]);
        Assert.Equal(["x", "y", "2.5"], ((IReadOnlyList<object?>)map["e"]!).Cast<string>());
        Assert.Equal("true", ((IReadOnlyDictionary<string, object?>)map["f"]!)["g"]);
        var j = (IReadOnlyDictionary<string, object?>)map["j"]!;
        Assert.Equal("1", j["i"]);
        Assert.NotSame(map["h"], j); // an alias is a copy, not a shared dictionary
    }

    [Fact]
    public void AnEmptyDocumentIsAnEmptyMapping() =>
        Assert.Empty(SafeYaml.ParseMapping("# only a comment\n", "t.yaml"));

    [Fact]
    public void ADuplicateKeyIsRefusedNamingTheKeyAndBothLines()
    {
        var e = Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping("name: a\nseeds: [1]\nname: b\n", "run.yaml"));
        Assert.Contains("run.yaml", e.Message);
        Assert.Contains("'name'", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Contains("first on line 1", e.Message);
    }

    [Fact]
    public void ADuplicateKeyInANestedFlowMappingIsRefused()
    {
        var e = Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping("outer:\n  inner: { k: 1, k: 2 }\n", "c.yaml"));
        Assert.Contains("'k'", e.Message);
        Assert.Contains("line 2", e.Message);
    }

    [Fact]
    public void TheBillionLaughsBombIsRefusedBeforeItExpands()
    {
        // 9 levels of 9 aliases each: 9^9 values once expanded. Refused after reading a few hundred events,
        // so the test finishes at once and allocates almost nothing (it used to grow to gigabytes).
        var yaml = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (char c = 'b'; c <= 'i'; c++)
        {
            var previous = (char)(c - 1);
            yaml.Append($"{c}: &{c} [{string.Join(", ", Enumerable.Repeat($"*{previous}", 9))}]\n");
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping(yaml.ToString(), "bomb.yaml"));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("bomb.yaml", e.Message);
        Assert.Contains("aliases", e.Message);
        Assert.True(allocated < 200_000_000, $"parsing the bomb allocated {allocated} bytes");
    }

    [Fact]
    public void DeepNestingIsRefused()
    {
        var yaml = "a: " + new string('[', SafeYaml.MaxDepth + 5) + new string(']', SafeYaml.MaxDepth + 5) + "\n";
        var e = Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping(yaml, "deep.yaml"));
        Assert.Contains("deep.yaml", e.Message);
        Assert.Contains("nests more than", e.Message);
    }

    [Fact]
    public void ASecondDocumentIsRefused()
    {
        var e = Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping("name: a\n---\nname: b\n", "two.yaml"));
        Assert.Contains("two.yaml", e.Message);
        Assert.Contains("line 2", e.Message);
        Assert.Contains("second YAML document", e.Message);
    }

    [Fact]
    public void AnUnknownAliasAndAnUnknownTagAreRefused()
    {
        Assert.Contains("*nowhere", Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping("a: *nowhere\n", "x.yaml")).Message);
        Assert.Contains("!custom", Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping("a: !custom 1\n", "x.yaml")).Message);
    }

    [Theory]
    [InlineData("- a\n- b\n", "a list")]
    [InlineData("just text\n", "a single value")]
    public void ANonMappingDocumentIsRefused(string yaml, string what) =>
        Assert.Contains(what, Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping(yaml, "x.yaml")).Message);

    [Fact]
    public void BrokenYamlIsASelectBenchException() =>
        Assert.Contains("not valid YAML", Assert.Throws<SelectBenchException>(() => SafeYaml.ParseMapping("a: [1, 2\n", "x.yaml")).Message);
}
