using Xunit.Abstractions;
namespace ConvSharp.Tests.Distributed;

/// <summary>What a data-parallel run does when the ranks disagree or one goes away: fail on every rank with a
/// message, never hang (each run has a hard limit; exceeding it fails the test as a hang).</summary>
[Collection("mpirun")]
public sealed class FailureTests(ITestOutputHelper output)
{
    [Fact]
    public void Different_parameter_shapes_fail_on_every_rank_naming_the_first_mismatching_parameter()
    {
        var result = MpiRun.Run(2, TimeSpan.FromSeconds(60), null, "mismatch");
        output.WriteLine(result.ToString());
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("no mismatch detected", result.Stdout);
        string expected = "the ranks' models differ at entry 0: rank 0 has parameter '0.weight' [16, 1, 3, 3], rank 1 has parameter '0.weight' [16, 1, 5, 5]";
        var lines = result.Stderr.Split('\n').Where(l => l.Contains("ArgumentException")).ToArray();
        Assert.Contains(lines, l => l.StartsWith("rank 0: ") && l.Contains(expected));
        Assert.Contains(lines, l => l.StartsWith("rank 1: ") && l.Contains(expected));
    }

    [Fact]
    public void A_rank_that_dies_makes_the_others_fail_instead_of_hanging()
    {
        var result = MpiRun.Run(2, TimeSpan.FromSeconds(60), new Dictionary<string, string> { ["CONVSHARP_DISTRIBUTED_TIMEOUT"] = "20" }, "die");
        output.WriteLine(result.ToString());
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("rank 1: exiting on purpose", result.Stderr);
        Assert.DoesNotContain("the step finished", result.Stdout);
    }

    [Fact]
    public void A_rank_that_stops_participating_makes_the_all_reduce_time_out_with_a_message()
    {
        var result = MpiRun.Run(2, TimeSpan.FromSeconds(60), null, "stall", "--timeout", "3");
        output.WriteLine(result.ToString());
        Assert.NotEqual(0, result.ExitCode);
        Assert.DoesNotContain("the step finished", result.Stdout);
        Assert.Contains("rank 0: TimeoutException: gradient all-reduce on rank 0 of 2 waited", result.Stderr);
        Assert.Contains("(timeout 3.0 s): a rank died, stopped, or is running a different collective", result.Stderr);
    }

    [Fact]
    public void A_library_that_is_not_Open_MPI_is_refused_with_the_fix()
    {
        // Pretend to be under mpirun and point ConvSharp at a library that is no MPI at all (ConvSharp's own).
        string notMpi = Path.Combine(Path.GetDirectoryName(MpiRun.DllPath)!, "runtimes", "linux-x64", "native", "libconvsharp_native.so");
        Assert.True(File.Exists(notMpi), notMpi);
        var env = new Dictionary<string, string> { ["OMPI_COMM_WORLD_SIZE"] = "2", ["CONVSHARP_MPI_LIBRARY"] = notMpi };
        var result = MpiRun.Run(0, TimeSpan.FromSeconds(60), env, "mismatch");
        output.WriteLine(result.ToString());
        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"NotSupportedException: The MPI library {notMpi} is an MPI library of unknown origin, which ConvSharp.Distributed does not support", result.Stderr);
        Assert.Contains("apt-get install openmpi-bin libopenmpi-dev", result.Stderr);
    }
}

[CollectionDefinition("mpirun", DisableParallelization = true)]
public sealed class MpirunCollection;
