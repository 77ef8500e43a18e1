using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using SelectBench.Common;
using SelectBench.Data;

namespace SelectBench.Worlds;

/// <summary>One file of an exported world: its path inside the world folder, size and SHA-256.</summary>
public sealed record WorldArchiveFile(string Path, long Bytes, string Sha256);

/// <summary>The archive's first member: what world it holds, its content fingerprint, and every file with its hash.</summary>
public sealed record WorldArchiveManifest(int FormatVersion, string Kind, string Fingerprint, IReadOnlyList<WorldArchiveFile> Files)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public long TotalBytes => Files.Sum(f => f.Bytes);
}

/// <summary>
/// One file that carries a whole world from the machine that built it to the team that benchmarks it
/// (`selectbench world export` / `world import`). The training-based parts of a world (the generator, the hard set's
/// reference models) and the font-rendered glyphs are not bit-exact across CPUs and machines, so "the same config"
/// is not "the same world"; the same archive is.
/// <para>Format: a POSIX (ustar) tar, gzip-compressed when the name ends in .gz or .tgz. The first member is
/// <see cref="ManifestMember"/> (<see cref="WorldArchiveManifest"/>); then every file of the world in ordinal path order,
/// with fixed time stamps, owner and mode, so exporting the same world twice gives the same bytes.</para>
/// <para>Import trusts nothing in the archive: member names must be relative without "..", only regular files are
/// accepted (links are refused, never followed), every member must be listed in the manifest with its size and
/// SHA-256 and every listed file must be present; the world is extracted into a temporary sibling folder, its
/// fingerprint is recomputed from the extracted images and compared with the manifest's, and only then is the folder
/// renamed into place. A refusal names the member and leaves nothing behind.</para>
/// </summary>
public static class WorldArchive
{
    public const int FormatVersion = 1;
    public const string ManifestMember = "selectbench-world.json";
    private static readonly DateTimeOffset FixedTime = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private const long MaxManifestBytes = 64L << 20;

    /// <summary>Writes the world in <paramref name="worldFolder"/> to <paramref name="archivePath"/> (atomically) and returns its manifest.</summary>
    public static WorldArchiveManifest Export(string worldFolder, string archivePath, Action<string>? log = null)
    {
        log ??= _ => { };
        var world = WorldFolder.Open(worldFolder, "world export");
        // The recorded fingerprint is what importers will check against: make sure the files still match it.
        var computed = world.ComputeFingerprint();
        if (computed != world.Fingerprint)
            throw new BadInputException(world.Path, $"its files hash to fingerprint {ContentFingerprint.Short(computed)} but it records {ContentFingerprint.Short(world.Fingerprint)}: " +
                                                    "it was changed after it was built. Rebuild or re-import it before exporting.");
        var files = world.Files().Select(path =>
        {
            var full = Path.Combine(world.Path, path);
            using var stream = File.OpenRead(full);
            return new WorldArchiveFile(path, stream.Length, Convert.ToHexStringLower(SHA256.HashData(stream)));
        }).ToList();
        var manifest = new WorldArchiveManifest(FormatVersion, world.Kind, world.Fingerprint, files);
        log($"export: {world.Kind} world {ContentFingerprint.Short(world.Fingerprint)}, {files.Count:N0} files, {manifest.TotalBytes / 1e6:F1} MB");
        var left = Directory.EnumerateFileSystemEntries(world.Path).Select(Path.GetFileName).Where(e => !WorldFolder.EntriesOf(world.Kind).Contains(e)).ToList();
        if (left.Count > 0) log($"export: left out (not part of the world): {string.Join(", ", left.Order(StringComparer.Ordinal))}");
        AtomicFile.Write(archivePath, stream =>
        {
            // AtomicFile owns (flushes and closes) the file stream; only the gzip layer is ours to close.
            using var gzip = IsGzip(archivePath) ? new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true) : null;
            using var writer = new TarWriter(gzip ?? stream, TarEntryFormat.Ustar, leaveOpen: true);
            Write(writer, ManifestMember, new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(manifest, Json.Options), writable: false));
            foreach (var file in files)
            {
                using var data = File.OpenRead(Path.Combine(world.Path, file.Path));
                if (data.Length != file.Bytes)
                    throw new BadInputException(Path.Combine(world.Path, file.Path), "changed size while it was being exported; export again when nothing writes to the world.");
                Write(writer, file.Path, data);
            }
        });
        return manifest;
    }

    /// <summary>
    /// Verifies and extracts <paramref name="archivePath"/> into the new folder <paramref name="outFolder"/> and returns
    /// the manifest. Any mismatch is an error naming the archive member; nothing is left at <paramref name="outFolder"/> then.
    /// </summary>
    public static WorldArchiveManifest Import(string archivePath, string outFolder, Action<string>? log = null)
    {
        log ??= _ => { };
        if (!File.Exists(archivePath)) throw new BadInputException(archivePath, "the world archive does not exist; make one with 'selectbench world export WORLD --out world.tar'.");
        var target = Path.GetFullPath(outFolder);
        if (File.Exists(target) || (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any()))
            throw new BadInputException(outFolder, "already exists and is not empty; import into a new folder (or delete it first).");
        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        // A sibling, so the final rename stays on one file system and is atomic.
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.import-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            var manifest = Extract(archivePath, staging);
            var world = WorldFolder.Open(staging, archivePath);
            if (world.Kind != manifest.Kind || world.Fingerprint != manifest.Fingerprint)
                throw new BadInputException($"{archivePath}:{ManifestMember}", $"says a {manifest.Kind} world {ContentFingerprint.Short(manifest.Fingerprint)}, " +
                                                                              $"but the world inside records {world.Kind} {ContentFingerprint.Short(world.Fingerprint)}; the archive was assembled by hand. Export it again.");
            var computed = world.ComputeFingerprint();
            if (computed != manifest.Fingerprint)
                throw new BadInputException(archivePath, $"the extracted world's content hashes to fingerprint {ContentFingerprint.Short(computed)}, not {ContentFingerprint.Short(manifest.Fingerprint)}; export it again.");
            if (Directory.Exists(target)) Directory.Delete(target); // empty, checked above
            Directory.Move(staging, target);
            log($"import: {manifest.Kind} world {ContentFingerprint.Short(manifest.Fingerprint)}, {manifest.Files.Count:N0} files verified, {manifest.TotalBytes / 1e6:F1} MB -> {target}");
            return manifest;
        }
        finally
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, recursive: true);
        }
    }

    private static WorldArchiveManifest Extract(string archivePath, string staging)
    {
        using var file = File.OpenRead(archivePath);
        using var input = StartsWithGzipMagic(file) ? new GZipStream(file, CompressionMode.Decompress) : (Stream)file;
        using var reader = new TarReader(input);
        WorldArchiveManifest? manifest = null;
        Dictionary<string, WorldArchiveFile> expected = [];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        Directory.CreateDirectory(staging);
        try
        {
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                var name = entry.Name;
                var item = $"{archivePath}:{name}";
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes) continue;
                if (!TarMemberNames.IsSafe(name)) throw new BadInputException(item, "member name is absolute or contains '..'; such names are refused.");
                if (entry.EntryType is TarEntryType.Directory) continue; // folders come from the files' paths
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
                    throw new BadInputException(item, $"member is a {entry.EntryType}, not a regular file; links are refused, never followed.");
                if (manifest is null)
                {
                    if (name != ManifestMember)
                        throw new BadInputException(item, $"the first member must be {ManifestMember}; this is not a SelectBench world archive (make one with 'selectbench world export').");
                    manifest = ReadManifest(entry, item);
                    expected = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
                    continue;
                }
                if (!expected.TryGetValue(name, out var listed))
                    throw new BadInputException(item, $"member is not listed in {ManifestMember}; the archive holds an extra file. Export it again.");
                if (!seen.Add(name)) throw new BadInputException(item, "member appears twice.");
                if (entry.Length != listed.Bytes)
                    throw new BadInputException(item, $"member is {entry.Length:N0} bytes but {ManifestMember} lists {listed.Bytes:N0}; the archive was changed or truncated.");
                var path = Path.GetFullPath(Path.Combine(staging, name));
                if (!path.StartsWith(staging + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new BadInputException(item, "member name resolves outside the world folder; refused.");
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                string sha;
                using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
                using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                {
                    var buffer = new byte[1 << 16];
                    var data = entry.DataStream ?? Stream.Null;
                    int read;
                    while ((read = data.Read(buffer)) > 0)
                    {
                        hash.AppendData(buffer, 0, read);
                        output.Write(buffer, 0, read);
                    }
                    sha = Convert.ToHexStringLower(hash.GetHashAndReset());
                }
                if (sha != listed.Sha256)
                    throw new BadInputException(item, $"member's SHA-256 is {sha[..12]}..., but {ManifestMember} lists {listed.Sha256[..Math.Min(12, listed.Sha256.Length)]}...; the archive was changed or damaged. Export it again.");
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new BadInputException(archivePath, $"is not a readable tar archive ({e.Message.ReplaceLineEndings(" ")}); it is truncated or corrupt.", e);
        }
        if (manifest is null) throw new BadInputException(archivePath, $"holds no {ManifestMember}; this is not a SelectBench world archive.");
        var missing = manifest.Files.Select(f => f.Path).Where(p => !seen.Contains(p)).ToList();
        if (missing.Count > 0)
            throw new BadInputException($"{archivePath}:{missing[0]}", $"member is listed in {ManifestMember} but missing from the archive{(missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "")}; the archive is incomplete. Export it again.");
        return manifest;
    }

    private static WorldArchiveManifest ReadManifest(TarEntry entry, string item)
    {
        if (entry.Length > MaxManifestBytes) throw new BadInputException(item, $"is {entry.Length:N0} bytes, more than a world manifest can be.");
        WorldArchiveManifest? manifest;
        try { manifest = JsonSerializer.Deserialize<WorldArchiveManifest>(entry.DataStream ?? Stream.Null, Json.Options); }
        catch (JsonException e) { throw new BadInputException(item, $"is not a valid world manifest ({e.Message}).", e); }
        if (manifest is null || manifest.Files is null || manifest.Fingerprint is null || manifest.Kind is null)
            throw new BadInputException(item, "is not a valid world manifest (kind, fingerprint or files missing).");
        if (manifest.FormatVersion != FormatVersion)
            throw new BadInputException(item, $"is format {manifest.FormatVersion}; this SelectBench reads world archives of format {FormatVersion}.");
        WorldFolder.EntriesOf(manifest.Kind); // an unknown kind is an error naming it
        foreach (var f in manifest.Files)
            if (f.Path is null || !TarMemberNames.IsSafe(f.Path) || f.Path == ManifestMember || f.Sha256 is null)
                throw new BadInputException(item, $"lists a file '{f.Path}' that cannot be part of a world; refused.");
        var duplicate = manifest.Files.GroupBy(f => f.Path, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null) throw new BadInputException(item, $"lists '{duplicate.Key}' twice.");
        return manifest;
    }

    private static void Write(TarWriter writer, string name, Stream data)
    {
        try
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
            {
                DataStream = data,
                ModificationTime = FixedTime,
                Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                Uid = 0,
                Gid = 0,
            });
        }
        catch (ArgumentException e)
        {
            throw new SelectBenchException($"world export: the path '{name}' does not fit a tar member name (ustar: 100 characters plus a 155-character folder); shorten it.", e);
        }
    }

    private static bool IsGzip(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase);

    private static bool StartsWithGzipMagic(FileStream file)
    {
        Span<byte> magic = stackalloc byte[2];
        int read = file.Read(magic);
        file.Position = 0;
        return read == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }
}
