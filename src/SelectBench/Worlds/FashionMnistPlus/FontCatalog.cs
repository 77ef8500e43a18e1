using SkiaSharp;

namespace SelectBench.Worlds.FashionMnistPlus;

/// <summary>A typeface loaded from a font file on the machine, with a short name for provenance notes.</summary>
internal sealed record LoadedFont(string File, string Name, SKTypeface Typeface);

/// <summary>
/// Finds the fonts installed on the machine by scanning the usual font folders for TrueType/OpenType files
/// (SkiaSharp's NoDependencies native build has no fontconfig, so SKFontManager cannot list them).
/// </summary>
public static class FontCatalog
{
    /// <summary>Font folders of Linux (fontconfig defaults), macOS and Windows.</summary>
    public static IReadOnlyList<string> DefaultFolders()
    {
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return
        [
            "/usr/share/fonts", "/usr/local/share/fonts", Path.Combine(home, ".local/share/fonts"), Path.Combine(home, ".fonts"),
            "/System/Library/Fonts", "/Library/Fonts", Environment.GetFolderPath(Environment.SpecialFolder.Fonts),
        ];
    }

    /// <summary>Font files (.ttf, .otf) under the folders, sorted by path so the list is the same on every run.</summary>
    public static IReadOnlyList<string> FindFontFiles(IEnumerable<string>? folders = null)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var folder in folders ?? DefaultFolders())
        {
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) continue;
            try
            {
                foreach (var f in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                    if (f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".otf", StringComparison.OrdinalIgnoreCase))
                        files.Add(f);
            }
            catch (Exception e) when (e is UnauthorizedAccessException or IOException)
            {
                // An unreadable font folder is skipped; the others still count.
            }
        }
        return files.ToList();
    }

    /// <summary>
    /// Loads the files that SkiaSharp can read and that have glyphs for all of <paramref name="requiredCharacters"/>
    /// (drops symbol and math fonts that would render boxes); reports skipped files through <paramref name="warn"/>.
    /// </summary>
    internal static List<LoadedFont> Load(IEnumerable<string> files, string requiredCharacters, Action<string> warn)
    {
        var fonts = new List<LoadedFont>();
        foreach (var file in files)
        {
            var typeface = SKTypeface.FromFile(file);
            if (typeface == null)
            {
                warn($"font {file} cannot be read by SkiaSharp; skipped.");
                continue;
            }
            if (!GlyphRasterizer.HasGlyphs(typeface, requiredCharacters))
            {
                typeface.Dispose();
                continue;
            }
            fonts.Add(new LoadedFont(file, Path.GetFileNameWithoutExtension(file), typeface));
        }
        return fonts;
    }
}
