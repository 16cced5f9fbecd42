// 项目经济状况核查标记 — Programs and their means-tested flag
// model: -
// Copied onto each payment a load adds (Payment.means_tested).
// params: none
MATCH (g:Program)
RETURN g.name AS name, g.means_tested AS means_tested
