# Seeds the test Redmine through ActiveRecord (rails runner): REST on, API keys,
# users, private projects, versions, custom fields and issues. Runs once per
# test session into a pristine copy of the database; tests then reset to it.
# Custom fields cannot be created over REST, and REST creates only ~20 issues/s.
#
# Environment: ADMIN_KEY, ALICE_KEY, BOB_KEY (40 hex), TEXT_FORMATTING,
# BULK_ISSUES (extra issues in version "bulk" of project secgate-bench).

def key_for(user, value)
  Token.where(user_id: user.id, action: 'api').delete_all
  token = Token.create!(user_id: user.id, action: 'api')
  token.update_columns(value: value) # create! always generates a random value
end

Setting.rest_api_enabled = '1'
# No mail jobs: they run in a background thread that would hold SQLite locks.
Setting.notified_events = []
Setting.text_formatting = ENV.fetch('TEXT_FORMATTING', 'textile')
Setting.default_projects_public = '0'

admin = User.find(1)
admin.update_columns(must_change_passwd: false)
key_for(admin, ENV.fetch('ADMIN_KEY'))

def make_user(login, first)
  user = User.new(firstname: first, lastname: 'Tester', mail: "#{login}@example.org")
  user.login = login
  user.password = user.password_confirmation = 'secgate-test-password'
  user.must_change_passwd = false
  user.save!
  user
end

alice = make_user('alice', 'Alice')
bob = make_user('bob', 'Bob')
key_for(alice, ENV.fetch('ALICE_KEY'))
key_for(bob, ENV.fetch('BOB_KEY'))

manager = Role.find_by!(name: 'Manager')
trackers = Tracker.order(:id).to_a
# Redmine's stock statuses are used as they come; "Risk Accepted" and
# "Deferred" are added as closed statuses, as a security process would.
risk = IssueStatus.create!(name: 'Risk Accepted', is_closed: true)
deferred = IssueStatus.create!(name: 'Deferred', is_closed: true)
trackers.each do |tracker|
  [risk, deferred].each do |status|
    IssueStatus.where.not(id: status.id).each do |from|
      WorkflowTransition.create!(role_id: manager.id, tracker_id: tracker.id,
                                 old_status_id: from.id, new_status_id: status.id)
      WorkflowTransition.create!(role_id: manager.id, tracker_id: tracker.id,
                                 old_status_id: status.id, new_status_id: from.id)
    end
  end
end

labels = %w[security sec-defect sec-test-finding sec-requirement sec-design
            sec-implementation sec-verification performance ui other]
common = { is_for_all: true, is_filter: true, visible: true, tracker_ids: trackers.map(&:id) }
IssueCustomField.create!(common.merge(name: 'Labels', field_format: 'list', multiple: true,
                                      possible_values: labels))
IssueCustomField.create!(common.merge(name: 'Resolution', field_format: 'list',
                                      possible_values: ['Fixed', 'Risk Accepted', 'Deferred',
                                                        'Duplicate', "Won't fix", 'Not a defect']))
IssueCustomField.create!(common.merge(name: 'Justification', field_format: 'text'))
IssueCustomField.create!(common.merge(name: 'Affects version', field_format: 'version',
                                      multiple: true))
IssueCustomField.create!(common.merge(name: 'Severity', field_format: 'list',
                                      possible_values: %w[low medium high critical]))

def make_project(identifier, name, members)
  project = Project.new(name: name, identifier: identifier, is_public: false)
  project.trackers = Tracker.all
  project.enabled_module_names = %w[issue_tracking]
  project.save!
  members.each do |user|
    Member.create!(project: project, principal: user, role_ids: [Role.find_by!(name: 'Manager').id])
  end
  project
end

a = make_project('secgate-a', 'Secgate A', [alice])
make_project('secgate-b', 'Secgate B (alice is no member)', [bob])
IssueCategory.create!(project: a, name: 'Crypto')
IssueCategory.create!(project: a, name: 'Auth')

today = Date.today
Version.create!(project: a, name: '1.0', status: 'closed', effective_date: today - 200)
Version.create!(project: a, name: '1.5', status: 'locked')
Version.create!(project: a, name: '1.9', status: 'open', effective_date: today - 3)
Version.create!(project: a, name: '2.0', status: 'open', effective_date: today + 30)
Version.create!(project: a, name: '2.1', status: 'open')
Version.create!(project: a, name: '3.0', status: 'open', effective_date: today + 300)

# Issues of project A, ids 1.. in this order (tests rely on them: see fixtures.py).
cf = ->(name) { IssueCustomField.find_by!(name: name).id }
def status(name) = IssueStatus.find_by!(name: name)
versions = Version.where(project: a).index_by(&:name)
seed_issues = [
  ['SQL injection in login', 'Bug', '2.0', 'New', %w[security sec-defect], 'Auth', {}],
  ['TLS settings hardened', 'Feature', '2.0', 'Closed', %w[security sec-implementation], 'Crypto',
   { 'Resolution' => 'Fixed' }],
  ['Timing side channel', 'Bug', '2.0', 'Risk Accepted', %w[security sec-defect], nil,
   { 'Justification' => 'Rate limiting makes it impractical.', 'Severity' => 'low',
     'Affects version' => [versions['1.0'].id.to_s] }],
  ['Fuzzing finding deferred', 'Bug', '2.0', 'Deferred', %w[security sec-test-finding], nil, {}],
  ['Button misaligned', 'Feature', '2.0', 'Rejected', %w[ui], nil, {}],
  ['Old release finding', 'Bug', '1.0', 'Closed', %w[security sec-defect], nil, {}],
  ['Future work', 'Feature', '3.0', 'New', %w[security sec-requirement], nil, {}],
]
seed_issues.each do |subject, tracker, version, status_name, issue_labels, category, fields|
  issue = Issue.new(project: a, tracker: Tracker.find_by!(name: tracker), author: alice,
                    subject: subject,
                    category: category && IssueCategory.find_by!(project: a, name: category))
  values = { cf.call('Labels') => issue_labels }
  fields.each { |name, value| values[cf.call(name)] = value }
  issue.custom_field_values = values
  issue.save!
  # Closed / locked versions are not assignable on save: set the version directly.
  issue.update_columns(status_id: status(status_name).id, fixed_version_id: versions[version].id,
                       closed_on: status(status_name).is_closed ? Time.now.utc : nil)
end
# Seeded issues were last changed two days ago, so "nothing changed since now" holds.
seeded_at = Time.now.utc - 2 * 86_400
Issue.where(project: a).update_all(created_on: seeded_at, updated_on: seeded_at)
Issue.where(project: a).where.not(closed_on: nil).update_all(closed_on: seeded_at)
note_issue = Issue.find_by!(subject: 'Fuzzing finding deferred')
note_issue.init_journal(alice, "Risk acceptance: fixed in 2.1, the parser is not reachable.")
note_issue.save!
note_issue.update_columns(updated_on: seeded_at)
b = Project.find_by!(identifier: 'secgate-b')
Version.create!(project: b, name: '2.0', status: 'open')
Issue.create!(project: b, tracker: trackers.first, author: bob, subject: 'Hidden from alice',
              fixed_version: Version.find_by!(project: b, name: '2.0'))

bulk = Integer(ENV.fetch('BULK_ISSUES', '0'))
if bulk > 0
  bench = make_project('secgate-bench', 'Secgate bench', [alice])
  version = Version.create!(project: bench, name: 'bulk', status: 'open')
  labels_cf = IssueCustomField.find_by!(name: 'Labels')
  justification_cf = IssueCustomField.find_by!(name: 'Justification')
  now = Time.now.utc - 2 * 86_400 # old enough that "nothing changed since now" holds
  # A release's realistic mix: 60 % closed, 30 % new, 9 % in progress, 1 % risk
  # accepted with a justification field (so no note has to be read for them).
  closed, fresh, busy = %w[Closed New In\ Progress].map { |name| IssueStatus.find_by!(name: name).id }
  risk_id = IssueStatus.find_by!(name: 'Risk Accepted').id
  status_of = lambda do |n|
    next risk_id if (n % 100).zero?
    (n % 10) < 6 ? closed : ((n % 10) < 9 ? fresh : busy)
  end
  rows = (1..bulk).map do |n|
    { project_id: bench.id, tracker_id: trackers[n % trackers.size].id,
      subject: "Bulk issue #{n} \u00e9\u00e8 <b>", description: 'x' * 200,
      status_id: status_of.call(n), priority_id: IssuePriority.first.id,
      author_id: alice.id, fixed_version_id: version.id, lock_version: 0,
      done_ratio: 0, is_private: false, lft: 1, rgt: 2,
      created_on: now, updated_on: now, start_date: today,
      closed_on: status_of.call(n) == fresh || status_of.call(n) == busy ? nil : now }
  end
  # insert_all skips callbacks: nested-set roots and custom values are set here.
  rows.each_slice(1000) { |slice| Issue.insert_all(slice) }
  Issue.where(root_id: nil).update_all('root_id = id')
  ids = Issue.where(project_id: bench.id).order(:id).pluck(:id)
  values = ids.each_with_index.flat_map do |id, index|
    label = { customized_type: 'Issue', customized_id: id, custom_field_id: labels_cf.id,
              value: id.even? ? 'sec-defect' : 'security' }
    next [label] unless ((index + 1) % 100).zero?
    [label, { customized_type: 'Issue', customized_id: id,
              custom_field_id: justification_cf.id, value: 'Accepted by the risk board.' }]
  end
  values.each_slice(1000) { |slice| CustomValue.insert_all(slice) }
end
puts 'seeded'
