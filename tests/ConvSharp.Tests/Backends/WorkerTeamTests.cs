using ConvSharp.Backends.Cpu;

namespace ConvSharp.Tests.Backends;

/// <summary>The spinning helper threads behind CpuKernels.ParallelFor: every slice runs exactly once with the
/// same bounds as a plain loop would give, exceptions reach the caller, and a second thread's section falls
/// back rather than waiting. Other test classes run convolutions on the same team at the same time, so a
/// refused section is simply posted again (<see cref="Run"/>).</summary>
public class WorkerTeamTests
{
    private static void Run(WorkerTeam team, int count, int workers, Action<int, int, int> body)
    {
        while (!team.TryRun(count, workers, body)) Thread.Yield();
    }

    [Fact]
    public void Every_slice_runs_once_with_even_bounds_over_many_sections()
    {
        var team = WorkerTeam.Shared;
        int workers = Math.Min(team.Size, 4);
        if (workers < 2) return;  // a one-core machine has no helpers: ParallelFor never uses the team
        for (int section = 0; section < 2000; section++)
        {
            int count = 1 + section % 37;
            int w = Math.Min(workers, count);
            var seen = new int[count];
            var slices = new (int Start, int End)[w];
            Run(team, count, w, (worker, start, end) =>
            {
                slices[worker] = (start, end);
                for (int i = start; i < end; i++) Interlocked.Increment(ref seen[i]);
            });
            Assert.All(seen, s => Assert.Equal(1, s));
            for (int i = 0; i < w; i++)
                Assert.Equal(((int)((long)count * i / w), (int)((long)count * (i + 1) / w)), slices[i]);
            if (section % 500 == 0) Thread.Sleep(5);  // let the helpers fall asleep now and then: the wake-up path
        }
    }

    [Fact]
    public void An_exception_in_a_helper_slice_reaches_the_caller_and_the_team_keeps_working()
    {
        var team = WorkerTeam.Shared;
        if (team.Size < 2) return;
        var error = Assert.Throws<InvalidOperationException>(() => Run(team, 2, 2, (worker, _, _) =>
        {
            if (worker == 1) throw new InvalidOperationException("slice 1 failed");
        }));
        Assert.Equal("slice 1 failed", error.Message);
        int sum = 0;
        Run(team, 2, 2, (worker, _, _) => Interlocked.Add(ref sum, worker + 1));
        Assert.Equal(3, sum);
    }

    [Fact]
    public void A_section_posted_while_another_runs_is_refused_and_the_caller_falls_back()
    {
        var team = WorkerTeam.Shared;
        if (team.Size < 2) return;
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var running = new Thread(() => Run(team, 2, 2, (worker, _, _) =>
        {
            if (worker == 0) { inside.Set(); release.Wait(); }
        }));
        running.Start();
        Assert.True(inside.Wait(TimeSpan.FromSeconds(10)));
        Assert.False(team.TryRun(2, 2, (_, _, _) => { }));
        release.Set();
        Assert.True(running.Join(TimeSpan.FromSeconds(10)));
    }
}
