using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Analyzer.Reporting.Files;
using Analyzer.TestSupport;

namespace Analyzer.Cli.Tests.Commands;

public class GraphCommandTests
{
    [Fact]
    public void Graph_writes_a_symmetric_adjacency_and_nodes_json()
    {
        string dir = TempDirectory.Create();
        var run = CliRun.Of("graph", TinyModels.TwoPathways(), "--edges", "weights", "--out", dir);
        Assert.Equal(0, run.ExitCode);
        var (values, rows, cols) = NpyFile.ReadMatrix(Path.Combine(dir, "adjacency.npy"));
        Assert.Equal((8, 8), (rows, cols));
        // Node 0 is input x0; nodes 2..5 are fc1's units; W1[1,0] = 2 joins x0 and h1.
        Assert.Equal(2.0, values[0 * 8 + 3], 6);
        Assert.Equal(2.0, values[3 * 8 + 0], 6);
        for (int i = 0; i < 8; i++) Assert.Equal(0.0, values[i * 8 + i]);
        using var nodes = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "nodes.json")));
        Assert.Equal(8, nodes.RootElement.GetProperty("n").GetInt32());
        Assert.Equal(0, nodes.RootElement.GetProperty("invalid").GetArrayLength());
        Assert.Equal(64, nodes.RootElement.GetProperty("model_sha256").GetString()!.Length);
        Assert.Equal(0, nodes.RootElement.GetProperty("seed").GetInt32());
    }

    [Fact]
    public void Npy_header_is_padded_to_a_multiple_of_64_bytes()
    {
        string path = Path.Combine(TempDirectory.Create(), "m.npy");
        NpyFile.WriteMatrix(path, [1, 2, 3, 4, 5, 6], 2, 3);
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = bytes[8] | bytes[9] << 8;
        Assert.Equal(0, (10 + headerLength) % 64);
        Assert.Equal(10 + headerLength + 6 * 8, bytes.Length);
        var (values, rows, cols) = NpyFile.ReadMatrix(path);
        Assert.Equal([1.0, 2, 3, 4, 5, 6], values);
        Assert.Equal((2, 3), (rows, cols));
    }

    [Fact]
    public void Activation_graph_of_an_mlp_holds_its_hidden_units_only()
    {
        // Two pathways: h0, h1 are x0 plus 1 % of x1 (h2, h3 the reverse), so within a pathway r² is near 1, across near 0.
        var rng = new Random(4);
        var pixels = Enumerable.Range(0, 60).Select(_ => (byte)rng.Next(256)).ToArray();
        string dir = TempDirectory.Create();
        File.WriteAllBytes(Path.Combine(dir, "images"), IdxBytes.Of([30, 1, 2], pixels));
        File.WriteAllBytes(Path.Combine(dir, "labels"), IdxBytes.Of([30], new byte[30]));
        string output = TempDirectory.Create();
        var run = CliRun.Of("graph", TinyModels.TwoPathways(), "--edges", "activations", "--data", $"idx:{dir}/images,{dir}/labels",
            "--out", output, "--device", "cpu");
        Assert.Equal(0, run.ExitCode);
        var (values, rows, _) = NpyFile.ReadMatrix(Path.Combine(output, "adjacency.npy"));
        Assert.Equal(4, rows);
        Assert.InRange(values[0 * 4 + 1], 0.95, 1.0);
        Assert.InRange(values[2 * 4 + 3], 0.95, 1.0);
        Assert.InRange(values[0 * 4 + 2], 0.0, 0.3);
        Assert.Equal(values[0 * 4 + 2], values[2 * 4 + 0]);
        using var nodes = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "nodes.json")));
        var layer = Assert.Single(nodes.RootElement.GetProperty("layers").EnumerateArray());
        Assert.Equal(("fc1", 0), (layer.GetProperty("name").GetString(), layer.GetProperty("offset").GetInt32()));
        Assert.Equal("activations", nodes.RootElement.GetProperty("edges").GetString());
    }

    [Theory]
    [InlineData("weights")]
    [InlineData("activations")]
    public void Sparse_adjacency_holds_the_dense_adjacency_non_zero_entries(string edges)
    {
        // Weight graphs are block graphs, activation graphs dense ones: each has its own way to the .npz.
        var rng = new Random(5);
        string data = TempDirectory.Create();
        File.WriteAllBytes(Path.Combine(data, "images"), IdxBytes.Of([30, 1, 2], Enumerable.Range(0, 60).Select(_ => (byte)rng.Next(256)).ToArray()));
        File.WriteAllBytes(Path.Combine(data, "labels"), IdxBytes.Of([30], new byte[30]));
        string Run(string format)
        {
            string dir = TempDirectory.Create();
            var run = CliRun.Of("graph", TinyModels.TwoPathways(), "--edges", edges, "--data", $"idx:{data}/images,{data}/labels",
                "--format", format, "--out", dir, "--device", "cpu");
            Assert.Equal(0, run.ExitCode);
            return dir;
        }
        var (dense, n, _) = NpyFile.ReadMatrix(Path.Combine(Run("dense"), "adjacency.npy"));
        using var zip = ZipFile.OpenRead(Path.Combine(Run("sparse"), "adjacency.npz"));
        byte[] Entry(string name)
        {
            using var stream = zip.GetEntry(name)!.Open();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            byte[] bytes = copy.ToArray();
            int header = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(8));
            return bytes[(10 + header)..];
        }
        var values = Entry("data.npy");
        var indices = Entry("indices.npy");
        var indptr = Entry("indptr.npy");
        Assert.Equal("csr", Encoding.ASCII.GetString(Entry("format.npy")));
        Assert.Equal([(long)n, n], [BinaryPrimitives.ReadInt64LittleEndian(Entry("shape.npy")), BinaryPrimitives.ReadInt64LittleEndian(Entry("shape.npy").AsSpan(8))]);
        var rebuilt = new double[n * n];
        for (int r = 0; r < n; r++)
        {
            long start = BinaryPrimitives.ReadInt64LittleEndian(indptr.AsSpan(8 * r)), end = BinaryPrimitives.ReadInt64LittleEndian(indptr.AsSpan(8 * (r + 1)));
            for (long e = start; e < end; e++)
            {
                int column = BinaryPrimitives.ReadInt32LittleEndian(indices.AsSpan((int)(4 * e)));
                double value = BinaryPrimitives.ReadDoubleLittleEndian(values.AsSpan((int)(8 * e)));
                Assert.NotEqual(0.0, value);
                rebuilt[r * n + column] = value;
            }
        }
        Assert.Equal(dense.Count(v => v != 0), values.Length / 8);
        Assert.Equal(dense, rebuilt);
    }

    [Fact]
    public void Activation_graph_too_large_for_the_disk_is_refused_before_capture()
    {
        // A million hidden units: the correlation tiles beyond the memory budget need about 2 TB of temporary disk.
        const int hidden = 1_000_000;
        var ones = Enumerable.Repeat(1.0, 2 * hidden).ToArray();
        string model = new TinyModel().Input("x", 1, 2)
            .Weight("W1", [hidden, 2], ones).Weight("W2", [2, hidden], ones)
            .Node("Gemm", ["x", "W1"], ["a"], "fc1", ("transB", 1L)).Node("Relu", ["a"], ["r"])
            .Node("Gemm", ["r", "W2"], ["y"], "fc2", ("transB", 1L)).Output("y")
            .Save();
        string dir = TempDirectory.Create();
        File.WriteAllBytes(Path.Combine(dir, "images"), IdxBytes.Of([3, 1, 2], new byte[6]));
        File.WriteAllBytes(Path.Combine(dir, "labels"), IdxBytes.Of([3], new byte[3]));
        var run = CliRun.Of("graph", model, "--edges", "activations", "--data", $"idx:{dir}/images,{dir}/labels",
            "--out", TempDirectory.Create(), "--device", "cpu");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("1000000 units", run.Error);
        Assert.Contains("of temporary disk", run.Error);
        Assert.Contains("use weight edges", run.Error);
        Assert.DoesNotContain("capturing", run.Error);
    }
}
