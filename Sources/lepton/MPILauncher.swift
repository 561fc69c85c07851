import ArgumentParser
import Foundation

/// Starts `mpirun` for `lepton train --workers N`: N copies of this executable with the same
/// arguments (without `--workers`), on this machine, one thread each unless `--threads` says otherwise.
enum MPILauncher {
    /// Runs `mpirun -np processes --oversubscribe --bind-to none <this executable> <arguments>`
    /// and waits for it.
    /// - Parameter setting: what asked for the processes, for the error (`--workers`).
    /// - Returns: mpirun's exit status (non-zero when a rank failed or died).
    /// - Throws: ``ValidationError`` when `mpirun` is not on the PATH.
    static func run(processes: Int, arguments: [String], setting: String = "--workers") throws -> Int32 {
        guard let mpirun = executable(named: "mpirun") else {
            throw ValidationError("\(setting): mpirun not found on the PATH; install OpenMPI with scripts/setup.sh (Debian openmpi-bin)")
        }
        let process = Process()
        process.executableURL = mpirun
        process.arguments = ["-np", String(processes), "--oversubscribe", "--bind-to", "none",
                             ownExecutable().path] + arguments
        var environment = ProcessInfo.processInfo.environment
        if getuid() == 0 {
            // OpenMPI refuses root unless told twice (containers often run as root).
            environment["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            environment["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        process.environment = environment
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// This process's arguments after the executable, without `--workers N` / `--workers=N`.
    static func argumentsWithoutWorkers(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> [String] {
        var kept: [String] = [], skipNext = false
        for argument in arguments {
            if skipNext { skipNext = false; continue }
            if argument == "--workers" { skipNext = true; continue }
            if argument.hasPrefix("--workers=") { continue }
            kept.append(argument)
        }
        return kept
    }

    /// The running executable (resolved, so mpirun starts the same file).
    static func ownExecutable() -> URL {
        let proc = URL(fileURLWithPath: "/proc/self/exe")
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: proc.path) { return URL(fileURLWithPath: target) }
        return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    }

    /// `name` found in a folder of the PATH, if there is one.
    static func executable(named name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}
