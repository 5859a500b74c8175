import winkNLP from 'wink-nlp';
import model from 'wink-eng-lite-web-model';
const nlp = winkNLP(model);
const its = nlp.its;
const text = "After skipping out on entering a Newport Beach rehabilitation facility, Lindsay Lohan has checked into the Betty Ford Center on May 3, 2013 at 5 p.m. for $5 million, 10% more.\nLohan was previously at Betty Ford.  It's  “great” — don't.";
const doc = nlp.readDoc(text);
const v = doc.tokens().out(its.value), ps = doc.tokens().out(its.precedingSpaces), pos = doc.tokens().out(its.pos), lem = doc.tokens().out(its.lemma), ty=doc.tokens().out(its.type);
let off=0; const rows:string[]=[];
for (let i=0;i<v.length;i++){ off+=ps[i].length; rows.push(`${v[i]}|${pos[i]}|${lem[i]}|${ty[i]}|${text.slice(off,off+v[i].length)===v[i]}`); off+=v[i].length;}
console.log(rows.join(' '));
console.log(doc.sentences().out(its.span));
doc.entities().each((e:any)=>console.log(e.out(its.detail), e.out(its.span)));
console.log(doc.out()===text);
