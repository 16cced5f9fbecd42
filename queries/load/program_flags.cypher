// 项目经济状况核查标记与最低年龄 — Programs, their means-tested flag and minimum age
// model: -
// Copied onto each payment a load adds (Payment.means_tested, Payment.min_age).
// params: none
MATCH (g:Program)
RETURN g.name AS name, g.means_tested AS means_tested, g.min_age AS min_age
