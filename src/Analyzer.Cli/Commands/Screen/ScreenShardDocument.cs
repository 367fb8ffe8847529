namespace Analyzer.Cli.Commands.Screen;

/// <summary>screen-shard.json, what a shard of `screen` writes beside its models' folders: which share it ran, the seed of
/// the comparison, and the models' names (their folders) in manifest order.</summary>
public sealed record ScreenShardDocument(int Shard, int Count, int Seed, IReadOnlyList<string> Models)
{
    public const string FileName = "screen-shard.json";
}
