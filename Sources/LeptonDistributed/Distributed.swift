import Foundation

/// How this process was started: by an MPI launcher or on its own (read from the environment,
/// without initialising MPI; `LeptonMPI.MPICommunicator.forProcess` picks the communicator).
public enum Distributed {
    /// The environment variables a launcher sets in every process it starts: OpenMPI's
    /// `mpirun`, PMIx (`srun --mpi=pmix`, `prterun`) and Slurm.
    public static let launcherVariables = ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"]

    /// Whether a launcher (`mpirun`, `srun`) started this process; only then is MPI initialised,
    /// so a plain run never touches it.
    public static func isLaunchedByMPI(environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        launcherVariables.contains { environment[$0] != nil }
    }

    /// The rank a launcher gave this process (0 when none did), read from its environment
    /// without initialising MPI.
    public static func launcherRank(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int {
        for key in ["OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"] {
            if let value = environment[key], let rank = Int(value) { return rank }
        }
        return 0
    }
}
