namespace SelectBench.Data;

/// <summary>
/// Which tar member names SelectBench accepts from an archive it did not write itself (WebDataset shards, world
/// archives): relative names without ".." segments. An absolute name or one that climbs out ("../../etc/x") is the
/// classic tar-slip attack, so it is refused wherever a member name could become a path.
/// </summary>
public static class TarMemberNames
{
    /// <summary>True for relative names without ".." segments (also with backslashes or a drive letter, for names made on Windows).</summary>
    public static bool IsSafe(string name)
    {
        if (name.Length == 0 || name[0] == '/' || name[0] == '\\' || (name.Length > 1 && name[1] == ':') || name.Contains('\0')) return false;
        foreach (var segment in name.Split('/', '\\'))
            if (segment == "..") return false;
        return true;
    }
}
