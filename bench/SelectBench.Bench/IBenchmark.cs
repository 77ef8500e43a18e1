namespace SelectBench.Bench;

/// <summary>One benchmark program, found by name. Prints its results as a table and returns an exit code.</summary>
public interface IBenchmark
{
    string Name { get; }
    string Description { get; }
    int Run(string[] args);
}
