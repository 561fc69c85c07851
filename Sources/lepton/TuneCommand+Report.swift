import Foundation
import LeptonSQL
import LeptonTune

/// `lepton tune --report STUDY_DB OUT.html`: one study of a SQLite study file (or of a
/// `postgresql://` storage) as a self-contained HTML page (``StudyReport``).
enum TuneReportWriter {
    static func write(database: String, study name: String?, to html: String) throws {
        guard SQLDatabases.isPostgres(database) || FileManager.default.fileExists(atPath: database) else {
            throw TuneError("--report \(database): no such study database (expected the study.db a lepton tune run wrote, or a postgresql:// URL)")
        }
        let storage = try StorageURL.open(database)
        let studies = try storage.studies()
        let record: StudyRecord
        if let name {
            guard let found = studies.first(where: { $0.name == name }) else {
                throw TuneError("--study \(name): not in \(database) (it holds: \(studies.map(\.name).joined(separator: ", ")))")
            }
            record = found
        } else {
            guard studies.count == 1 else {
                throw TuneError("\(database) holds \(studies.count) studies (\(studies.map(\.name).joined(separator: ", "))); name one with --study")
            }
            record = studies[0]
        }
        let page = StudyReport.html(name: record.name, direction: record.direction, space: record.space,
                                    trials: try storage.trials(study: record.id))
        do {
            try page.write(toFile: html, atomically: true, encoding: .utf8)
        } catch {
            throw TuneError("\(html): cannot write the report (\(error.localizedDescription))")
        }
        print("Wrote the report of study \(record.name) to \(html)")
    }
}
